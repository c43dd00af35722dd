from django.db import migrations, models


def field():
    return models.CharField(
        blank=True,
        db_default="",
        help_text="市民向けのページで使う名称。空欄なら取組名をそのまま使います。",
        max_length=200,
        verbose_name="公開用の名称",
    )


class Migration(migrations.Migration):
    dependencies = [
        ("initiatives", "0007_state_labels_name_no_body"),
    ]

    operations = [
        migrations.AddField(model_name="historicalinitiative", name="public_title", field=field()),
        migrations.AddField(model_name="initiative", name="public_title", field=field()),
    ]
