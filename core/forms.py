"""Form helpers every app uses: the error summary of a page and a field for several files."""

import datetime

from django import forms

from .uploads import MAX_NAME_CHARS, NAME_TOO_LONG, check_upload


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Several files in one input; each checked by content, size and emptiness."""

    widget = MultipleFileInput

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("max_length", MAX_NAME_CHARS)
        super().__init__(*args, **kwargs)
        self.error_messages["max_length"] = NAME_TOO_LONG
        self.widget.attrs.setdefault("data-max-name-chars", MAX_NAME_CHARS)  # file-names.js

    def clean(self, data, initial=None):
        items = data if isinstance(data, list | tuple) else ([data] if data else [])
        files, errors = [], []
        for item in items:
            try:
                upload = super().clean(item, initial)
                if not upload:
                    continue
                upload.detected_type = check_upload(upload)
                files.append(upload)
            except forms.ValidationError as exc:
                errors.extend(exc.messages)
        if errors:
            raise forms.ValidationError(errors)
        return files


def error_summary(*parts):
    """[(anchor, label, message)] for every error in forms and formsets, in page order.

    The error summary at the top of a form page links each message to its field.
    """
    out = []

    def add_form(form, prefix_label=""):
        for name, errors in form.errors.items():
            if name == forms.forms.NON_FIELD_ERRORS:
                for message in errors:
                    out.append(("", prefix_label.strip(), message))
                continue
            field = form[name]
            anchor = field.auto_id or ""
            # Choice widgets render inputs with _0, _1 suffixes: link to the first one.
            if getattr(field.field.widget, "allow_multiple_selected", False) or isinstance(
                field.field.widget, forms.RadioSelect | forms.CheckboxSelectMultiple
            ):
                anchor = f"{anchor}_0"
            for message in errors:
                out.append((anchor, f"{prefix_label}{field.label}", message))

    for part in parts:
        if isinstance(part, forms.BaseFormSet):
            for message in part.non_form_errors():
                out.append(("", "", message))
            for i, form in enumerate(part.forms, start=1):
                add_form(form, f"{part.summary_label}{i}件目の")
        else:
            add_form(part)
    return out


class ConstraintErrorsMixin:
    """A model form that shows a violated database constraint beside its field.

    Each check constraint names the field it is about in `violation_error_code` and says what
    is wrong in Japanese (`violation_error_message`); Django reports it as an error of the
    whole form, so it is moved onto the field here (left where it is if the form lacks it).
    """

    def _update_errors(self, errors):
        if hasattr(errors, "error_dict"):
            moved = []
            for error in errors.error_dict.get(forms.forms.NON_FIELD_ERRORS, []):
                if error.code in self.fields:
                    # A field that already says what is wrong needs it said once.
                    if not self.has_error(error.code):
                        errors.error_dict.setdefault(error.code, []).append(error)
                    moved.append(error)
            remaining = [
                e for e in errors.error_dict.get(forms.forms.NON_FIELD_ERRORS, []) if e not in moved
            ]
            if remaining:
                errors.error_dict[forms.forms.NON_FIELD_ERRORS] = remaining
            else:
                errors.error_dict.pop(forms.forms.NON_FIELD_ERRORS, None)
        super()._update_errors(errors)


class ConstraintAwareModelForm(ConstraintErrorsMixin, forms.ModelForm):
    """The admin's form for the portal's models (see ConstraintErrorsMixin)."""


# Optimistic locking: forms post the version of the record they were opened at.
STALE_FORM = (
    "画面の情報が足りないため保存できません。ページを開き直してから、もう一度保存してください。"
)


def posted_version(request):
    """The version a form was opened at, as it posted it; None when missing or not a number."""
    value = request.POST.get("version", "")
    return int(value) if value.isascii() and value.isdigit() else None


# Dates a city's work can carry: a slipped finger (1868, 9999) is refused, not stored.
EARLIEST = datetime.date(2000, 1, 1)
LATEST = datetime.date(2099, 12, 31)


def plausible_date(value):
    """`value`, or a ValidationError when it lies outside EARLIEST–LATEST (None passes)."""
    if value is not None and not EARLIEST <= value <= LATEST:
        raise forms.ValidationError(
            f"日付は{EARLIEST.year}年{EARLIEST.month}月{EARLIEST.day}日から"
            f"{LATEST.year}年{LATEST.month}月{LATEST.day}日までで入力してください。"
        )
    return value


# Formsets' row limits, held on the server (validate_max), in words a clerk reads.
ROW_LIMIT_MESSAGES = {
    "too_many_forms": "入力できるのは%(num)d行までです。行を減らしてください。",
    "too_few_forms": "%(num)d行以上入力してください。",
}
