"""The secretariat's page to publish an initiative to citizens (mounted as public:manage)."""

from django import forms
from django.contrib import messages
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from accounts.permissions import require_secretariat, staff_required
from core.forms import error_summary
from policies.names import city

from .. import access, publication
from ..workflow import PUBLISHABLE


class PublicationForm(forms.Form):
    is_public = forms.BooleanField(
        label="市民に公開する",
        required=False,
        help_text="チェックすると、市民向けの公開ページとオープンデータに掲載します。",
    )
    public_title = forms.CharField(
        label="公開用の名称",
        required=False,
        max_length=200,
        help_text="市民向けのページで使う名称。空欄なら取組名をそのまま使います。"
        "取りまとめの経過（「統合」など）ではなく、取組の中身が分かる名前にします。",
    )
    public_summary = forms.CharField(
        label="公開用の概要（平易な言葉で）",
        required=False,
        max_length=2000,
        widget=forms.Textarea(attrs={"rows": 6}),
        help_text="市民が読んで分かる言葉で、何をして暮らしがどう変わるかを書きます。"
        "職員名や内部の検討内容（審査の所見、会議での意見など）は書きません。",
    )
    version = forms.IntegerField(widget=forms.HiddenInput)

    def __init__(self, *args, initiative, **kwargs):
        self.initiative = initiative
        super().__init__(*args, **kwargs)

    def clean(self):
        data = super().clean()
        for name, message in publication.publication_problems(
            self.initiative, is_public=data.get("is_public"), summary=data.get("public_summary")
        ):
            self.add_error(name, message)
        return data


@require_http_methods(["GET", "POST"])
@staff_required
def manage(request, pk):
    require_secretariat(request.user, f"公開の設定は{city().secretariat}だけが行えます。")
    initiative = access.initiative_for_user(request, pk)
    initial = {
        "is_public": initiative.is_public,
        "public_title": initiative.public_title,
        "public_summary": initiative.public_summary,
        "version": initiative.version,
    }
    form = PublicationForm(request.POST or None, initial=initial, initiative=initiative)
    if request.method == "POST" and form.is_valid():
        try:
            publication.set_publication(
                initiative,
                actor=request.user,
                is_public=form.cleaned_data["is_public"],
                summary=form.cleaned_data["public_summary"],
                title=form.cleaned_data["public_title"],
                expected_version=form.cleaned_data["version"],
            )
        except publication.PublicationError as exc:
            form.add_error(None, str(exc))
        else:
            messages.success(
                request,
                "市民向けの公開ページに掲載しました。"
                if initiative.is_public
                else "公開の設定を保存しました（市民向けページには掲載していません）。",
            )
            return redirect(initiative)
    return render(
        request,
        "public/manage.html",
        {
            "initiative": initiative,
            "form": form,
            "publishable": initiative.status in PUBLISHABLE,
            "publishable_labels": publication.publishable_labels(),
            "errors": error_summary(form) if request.method == "POST" else [],
        },
        status=400 if request.method == "POST" else 200,
    )
