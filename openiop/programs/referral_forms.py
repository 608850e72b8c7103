"""Forms for referral intake, documents and the client's invitation.

They read and normalise the fields; the services check everything else and word the
refusals, so a refusal reads the same from the page and from the API.
"""

from typing import Any

from django import forms
from django.core.files.uploadedfile import UploadedFile
from django.db.models import QuerySet

from openiop.programs.models import Program, ReferralSource

ACCEPT = "application/pdf,image/png,image/jpeg,.pdf,.png,.jpg,.jpeg"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    """Zero or more files from one `<input type=file multiple>`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"accept": ACCEPT}))
        # The service refuses an empty file, naming it, like every other refused file.
        kwargs.setdefault("allow_empty_file", True)
        super().__init__(*args, **kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[UploadedFile]:
        items = data if isinstance(data, list | tuple) else [data]
        single = super().clean
        return [single(item, initial) for item in items if item]


DOCUMENTS_HELP = "PDF, PNG or JPEG, up to 10 MB each. You can choose several files."


class ReferralForm(forms.Form):
    program = forms.ModelChoiceField(queryset=Program.objects.none(), empty_label=None)
    first_name = forms.CharField(
        label="First name",
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "words"}),
    )
    last_name = forms.CharField(
        label="Last name",
        max_length=100,
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "words"}),
    )
    date_of_birth = forms.DateField(
        label="Date of birth",
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        error_messages={"invalid": "Enter the date of birth as YYYY-MM-DD."},
    )
    email = forms.CharField(
        label="Client's email",
        max_length=254,
        help_text="The client gets a link here to choose their password.",
        widget=forms.EmailInput(attrs={"autocomplete": "off", "inputmode": "email"}),
    )
    phone = forms.CharField(
        label="Client's phone (optional)",
        max_length=32,
        required=False,
        help_text="Add the country code, such as +44, for a number outside the program's country.",
        widget=forms.TextInput(attrs={"type": "tel", "autocomplete": "off"}),
    )
    time_zone = forms.CharField(
        label="Client's time zone",
        max_length=64,
        help_text="Where the client lives, as an IANA name such as America/Chicago.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "spellcheck": "false"}),
    )
    source = forms.ChoiceField(label="Referral source", choices=ReferralSource.choices)
    referring_provider = forms.CharField(
        label="Referring provider (optional)", max_length=200, required=False
    )
    referring_contact = forms.CharField(
        label="Referring provider's phone or email (optional)", max_length=200, required=False
    )
    reason = forms.CharField(
        label="Reason for referral (optional)",
        max_length=4000,
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
    )
    documents = MultipleFileField(
        label="Documents (optional)", required=False, help_text=DOCUMENTS_HELP
    )
    # Hidden until a possible duplicate is shown; then a checkbox staff must tick.
    confirm_not_duplicate = forms.BooleanField(
        label="I have checked: this is a different person",
        required=False,
        widget=forms.HiddenInput,
    )

    def __init__(self, *args: Any, programs: QuerySet[Program], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        field = self.fields["program"]
        assert isinstance(field, forms.ModelChoiceField)
        field.queryset = programs
        first = programs.first()
        if first is not None and not self.is_bound:
            self.initial.setdefault("program", first.pk)
            self.initial.setdefault("time_zone", first.time_zone)

    def ask_to_confirm_not_duplicate(self) -> None:
        self.fields["confirm_not_duplicate"].widget = forms.CheckboxInput()


class DocumentUploadForm(forms.Form):
    documents = MultipleFileField(label="Documents", required=False, help_text=DOCUMENTS_HELP)


class InvitePasswordForm(forms.Form):
    password1 = forms.CharField(
        label="Choose a password",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password", "autofocus": True}),
    )
    password2 = forms.CharField(
        label="Type it again",
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )

    def __init__(self, *args: Any, help_text: str = "", **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["password1"].help_text = help_text

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        one, two = data.get("password1"), data.get("password2")
        if one and two and one != two:
            self.add_error("password2", "The two passwords are not the same. Type them again.")
        return data
