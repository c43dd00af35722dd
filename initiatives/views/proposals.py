from itertools import pairwise

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Prefetch
from django.http import FileResponse, Http404, StreamingHttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST, require_safe

from accounts import roles
from policies.models import Channel, ChecklistItem, PolicyEdition
from policies.ui import error_summary

from .. import access, exports, plans, services, workflow
from ..filters import InitiativeFilter
from ..forms import (
    CaseStudyFormSet,
    InitiativeForm,
    MilestoneFormSet,
    SelfCheckForm,
    TransitionForm,
)
from ..models import Attachment, Initiative, ProgressReport
from ..uploads import download_response

S = Initiative.Status
PAGE_SIZE = 25
HISTORY_LIMIT = 50  # change-history records shown on the detail page
SAME_SAVE_SECONDS = 5

SCOPES = {
    "all": "取組一覧",
    "mine": "自分の提案",
    "department": "所属の提案",
}


def _scoped(request, scope):
    queryset = Initiative.objects.visible_to(request.user)
    if scope == "mine":
        queryset = queryset.filter(proposer=request.user)
    elif scope == "department":
        queryset = queryset.filter(department_id=request.user.department_id)
    return queryset


@require_safe
@login_required
def initiative_list(request, scope="all"):
    filterset = InitiativeFilter(request.GET, queryset=_scoped(request, scope).for_list())
    page = Paginator(filterset.qs, PAGE_SIZE).get_page(request.GET.get("page"))
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "initiatives/initiative_list.html",
        {
            "filter": filterset,
            "page": page,
            "scope": scope,
            "title": SCOPES[scope],
            "scopes": SCOPES,
            "query": query.urlencode(),
            "export_xlsx": reverse(f"initiatives:export_{scope}_xlsx"),
            "export_csv": reverse(f"initiatives:export_{scope}_csv"),
            "can_propose": bool(access.channels_for(request.user, Channel.objects.all())),
        },
    )


@require_safe
@login_required
def initiative_export(request, scope, fmt):
    filterset = InitiativeFilter(request.GET, queryset=_scoped(request, scope))
    rows = exports.export_queryset(filterset.qs)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M")
    if fmt == "csv":
        response = StreamingHttpResponse(
            exports.csv_chunks(rows), content_type="text/csv; charset=utf-8"
        )
        response["Content-Disposition"] = f'attachment; filename="initiatives-{stamp}.csv"'
        return response
    return FileResponse(
        exports.xlsx_file(rows),
        as_attachment=True,
        filename=f"initiatives-{stamp}.xlsx",
        content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
    )


def _forms(request, initiative, *, edition, data=None, files=None):
    """The proposal form and its parts, bound to POST data when given."""
    checklist = edition.current_checklist()
    items = (
        ChecklistItem.objects.filter(checklist=checklist).order_by("number") if checklist else []
    )
    answers = {a.item_id: a for a in initiative.self_check.all()} if initiative.pk else {}
    channels = Channel.objects.all()
    return {
        "form": InitiativeForm(
            data, files, instance=initiative, user=request.user, edition=edition, channels=channels
        ),
        "milestones": MilestoneFormSet(data, instance=initiative, prefix="milestones"),
        "cases": CaseStudyFormSet(data, instance=initiative, prefix="cases"),
        "self_check": SelfCheckForm(data, items=items, answers=answers, prefix="check"),
    }


def _all_valid(parts):
    return all([part.is_valid() for part in parts.values()])  # list: validate every part


def _errors(request, parts):
    return error_summary(*parts.values()) if request.method == "POST" else []


def _save(request, initiative, parts, *, expected_version=None):
    return services.save_proposal(
        form=parts["form"],
        milestones=parts["milestones"],
        cases=parts["cases"],
        self_check=parts["self_check"],
        files=parts["form"].cleaned_data.get("new_files", []),
        actor=request.user,
        expected_version=expected_version,
    )


@require_http_methods(["GET", "POST"])
@login_required
def initiative_create(request):
    edition = PolicyEdition.objects.in_force()
    if edition is None:
        raise Http404("適用中のDX推進方針がありません。")
    if not access.channels_for(request.user, Channel.objects.all()):
        raise PermissionDenied("提案できる抽出経路がありません。")
    initiative = Initiative(
        edition=edition, proposer=request.user, department_id=request.user.department_id
    )
    parts = _forms(
        request,
        initiative,
        edition=edition,
        data=request.POST or None,
        files=request.FILES or None,
    )
    if request.method == "POST" and _all_valid(parts):
        initiative = _save(request, initiative, parts)
        messages.success(request, "下書きを保存しました。")
        return redirect(initiative)
    return render(
        request,
        "initiatives/initiative_form.html",
        {**parts, "edition": edition, "initiative": None, "errors": _errors(request, parts)},
    )


@require_http_methods(["GET", "POST"])
@login_required
def initiative_edit(request, pk):
    initiative = access.initiative_for_user(request, pk, write=True)
    parts = _forms(
        request,
        initiative,
        edition=initiative.edition,
        data=request.POST or None,
        files=request.FILES or None,
    )
    conflict = None
    if request.method == "POST":
        try:
            expected = int(request.POST.get("version", ""))
        except ValueError:
            expected = None
        if _all_valid(parts):
            try:
                _save(request, initiative, parts, expected_version=expected)
            except services.EditConflict as exc:
                conflict = exc
            else:
                messages.success(request, "保存しました。")
                return redirect(initiative)
    return render(
        request,
        "initiatives/initiative_form.html",
        {
            **parts,
            "edition": initiative.edition,
            "initiative": initiative,
            "conflict": conflict,
            "errors": _errors(request, parts),
            "version": request.POST.get("version")
            if conflict is None and request.method == "POST"
            else initiative.version,
        },
    )


@require_safe
@login_required
def initiative_detail(request, pk):
    initiative = access.initiative_for_user(request, pk)
    checklist_items = {}
    answers = initiative.self_check.select_related("item", "item__checklist").order_by(
        "item__number"
    )
    examples = initiative.examples.select_related("policy").order_by("number")
    affected = initiative.affected_departments.select_related("parent").order_by("order", "code")
    checklist = initiative.edition.current_checklist()
    if checklist:
        checklist_items = ChecklistItem.objects.filter(checklist=checklist).order_by("number")
    history = (
        initiative.history.select_related("history_user")
        .prefetch_related(*(accessor for accessor, _, _ in TRACKED_M2M))
        .order_by("-history_date", "-history_id")[:HISTORY_LIMIT]
    )
    return render(
        request,
        "initiatives/initiative_detail.html",
        {
            "initiative": initiative,
            "examples": examples,
            "affected": affected,
            "milestones": initiative.milestones.all(),
            "cases": initiative.case_studies.all(),
            "attachments": initiative.attachments.select_related("uploaded_by"),
            "checklist": checklist,
            "checklist_rows": _self_check_rows(checklist_items, answers),
            "timeline": initiative.transitions.all(),
            "consolidated_into": initiative.consolidated_into,
            "consolidated_from": initiative.consolidated_from.select_related(
                "department", "department__parent"
            ),
            # Meetings, opinions and decisions live in the reviews app; reached by relation.
            "agenda_items": initiative.agenda_items.select_related(
                "meeting", "meeting__body", "opinion", "decision"
            ).order_by("meeting__held_on", "pk"),
            "classifications": initiative.classifications.all(),
            "plan_entries": _plan_entries(request.user, initiative),
            "can_place": request.user.has_role(roles.INFO_POLICY)
            and initiative.status in plans.PLACEABLE,
            "generic_actions": [
                a for a in workflow.available(request.user, initiative) if not a.service
            ],
            "changes": _changes(list(history)),
            "can_edit": access.can_edit(request.user, initiative),
            "actions": workflow.available(request.user, initiative),
            "is_reviewer": request.user.has_role(roles.INFO_POLICY),
        },
    )


def _plan_entries(user, initiative):
    """The initiative's plan entries with baseline, current plan and reports (fixed queries)."""
    entries = plans.entries_with_plans(initiative.plan_entries.all()).prefetch_related(
        Prefetch("reports", queryset=ProgressReport.objects.order_by("fiscal_year", "period"))
    )
    out = []
    for entry in entries:
        baseline, current = plans.baseline_and_current(entry)
        years, kpis = plans.comparison(baseline, current)
        out.append(
            {
                "entry": entry,
                "years": years,
                "kpis": kpis,
                "baseline": baseline,
                "current": current,
                "revisions": list(entry.revisions.all())[1:],
                "reports": list(entry.reports.all()),
                "can_write": plans.can_write_report(user, entry)
                and initiative.status in plans.ACTIVE,
                "periods": plans.report_periods(),
            }
        )
    return out


def _self_check_rows(items, answers):
    by_item = {a.item_id: a for a in answers}
    return [(item, by_item.get(item.pk)) for item in items]


HISTORY_HIDDEN = {"id", "version", "updated_at", "created_at", "submitted_at", "edition"}
TRACKED = [
    (f.attname, str(f.verbose_name))
    for f in Initiative._meta.concrete_fields
    if f.name not in HISTORY_HIDDEN
]


def _history_m2m():
    """(accessor, target attname, label) of the history rows simple-history keeps per m2m field."""
    history_model = Initiative.history.model
    out = []
    for field in Initiative._meta.many_to_many:
        rel = history_model._meta.get_field(f"historicalinitiative_{field.name}")
        target = next(
            f.attname
            for f in rel.related_model._meta.fields
            if f.is_relation and f.related_model is field.related_model
        )
        out.append((rel.get_accessor_name(), target, str(field.verbose_name)))
    return out


TRACKED_M2M = _history_m2m()


def _m2m_ids(record, accessor, target):
    # Prefetched in initiative_detail: no query here.
    return {getattr(row, target) for row in getattr(record, accessor).all()}


def _changes(records):
    """Who changed which fields when: consecutive history records compared, newest first."""
    result = []
    for newer, older in pairwise(records):
        fields = [
            label
            for attname, label in TRACKED
            if getattr(newer, attname) != getattr(older, attname)
        ]
        fields += [
            label
            for accessor, target, label in TRACKED_M2M
            if _m2m_ids(newer, accessor, target) != _m2m_ids(older, accessor, target)
        ]
        if not fields:
            continue
        last = result[-1] if result else None
        # One save writes a record for the fields and one per changed m2m field: show them as one.
        if (
            last
            and last["record"].history_user_id == newer.history_user_id
            and (last["record"].history_date - newer.history_date).total_seconds()
            < SAME_SAVE_SECONDS
        ):
            last["fields"] += [f for f in fields if f not in last["fields"]]
        else:
            result.append({"record": newer, "fields": fields})
    return result


@require_http_methods(["GET", "POST"])
@login_required
def initiative_submit(request, pk):
    initiative = access.initiative_for_user(request, pk)
    if not workflow.is_actor(request.user, initiative, workflow.OWNERS):
        raise PermissionDenied("この取組項目を提出する権限がありません。")
    problems = services.submission_problems(initiative)
    if request.method == "POST":
        form = TransitionForm(request.POST)
        if form.is_valid():
            try:
                services.submit(
                    initiative,
                    actor=request.user,
                    expected_status=form.cleaned_data["expected_status"],
                )
            except services.SubmissionIncomplete as exc:
                problems = exc.problems
            except services.TransitionError as exc:
                messages.error(request, str(exc))
                return redirect(initiative)
            else:
                messages.success(request, "提出しました。情報政策課が取りまとめます。")
                return redirect(initiative)
    return render(
        request,
        "initiatives/initiative_submit.html",
        {
            "initiative": initiative,
            "problems": problems,
            "form": TransitionForm(initial={"expected_status": initiative.status}),
            "allowed": workflow.rule_for(initiative.status, S.SUBMITTED) is not None,
        },
    )


@require_http_methods(["GET", "POST"])
@login_required
def initiative_withdraw(request, pk):
    initiative = access.initiative_for_user(request, pk)
    rule = workflow.rule_for(initiative.status, S.WITHDRAWN)
    if rule is None or not workflow.is_actor(request.user, initiative, rule.actors):
        raise PermissionDenied("この取組項目を取り下げることはできません。")
    form = TransitionForm(request.POST or None, initial={"expected_status": initiative.status})
    if request.method == "POST" and form.is_valid():
        try:
            services.transition(
                initiative,
                to=S.WITHDRAWN,
                actor=request.user,
                comment=form.cleaned_data["comment"],
                expected_status=form.cleaned_data["expected_status"],
            )
        except services.TransitionError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, "取り下げました。")
        return redirect(initiative)
    return render(
        request, "initiatives/initiative_withdraw.html", {"initiative": initiative, "form": form}
    )


@require_safe
@login_required
def attachment_download(request, pk, attachment_pk):
    initiative = access.initiative_for_user(request, pk)
    attachment = get_object_or_404(Attachment, pk=attachment_pk, initiative=initiative)
    return download_response(attachment)


@require_POST
@login_required
def attachment_delete(request, pk, attachment_pk):
    initiative = access.initiative_for_user(request, pk, write=True)
    attachment = get_object_or_404(Attachment, pk=attachment_pk, initiative=initiative)
    services.delete_attachment(attachment, actor=request.user)
    messages.success(request, f"添付ファイル「{attachment.original_name}」を削除しました。")
    return redirect("initiatives:edit", pk=initiative.pk)


@require_http_methods(["GET", "POST"])
@login_required
def initiative_transition(request, pk, target):
    """Transitions that change nothing but the state (start, complete, cancel): confirm, then go."""
    initiative = access.initiative_for_user(request, pk)
    rule = workflow.rule_for(initiative.status, target)
    if rule is None or rule.service or not workflow.is_actor(request.user, initiative, rule.actors):
        raise PermissionDenied("この操作はできません。")
    form = TransitionForm(request.POST or None, initial={"expected_status": initiative.status})
    if rule.comment_required:
        form.fields["comment"].required = True
        form.fields["comment"].label = "理由"
    if request.method == "POST" and form.is_valid():
        try:
            services.transition(
                initiative,
                to=target,
                actor=request.user,
                comment=form.cleaned_data["comment"],
                expected_status=form.cleaned_data["expected_status"],
            )
        except services.TransitionError as exc:
            messages.error(request, str(exc))
        else:
            messages.success(request, f"「{S(target).label}」にしました。")
        return redirect(initiative)
    return render(
        request,
        "initiatives/initiative_transition.html",
        {
            "initiative": initiative,
            "rule": rule,
            "form": form,
            "errors": error_summary(form) if form.is_bound else [],
        },
    )
