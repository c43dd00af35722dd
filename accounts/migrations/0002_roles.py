from django.db import migrations

# Fixed in the migration, not imported from accounts.roles: migrations must not change when code
# does.
ROLES = ("職員", "DX推進員", "窓口あり方検討委員会", "情報政策課", "電子自治体推進本部", "情報化推進協議会", "管理者")


def create_roles(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in ROLES:
        Group.objects.get_or_create(name=name)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [("accounts", "0001_initial"), ("auth", "0012_alter_user_first_name_max_length")]

    operations = [migrations.RunPython(create_roles, remove_roles)]
