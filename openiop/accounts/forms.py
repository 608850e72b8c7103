from django import forms


class LoginForm(forms.Form):
    email = forms.EmailField(
        widget=forms.EmailInput(attrs={"autocomplete": "username", "autofocus": True})
    )
    password = forms.CharField(
        strip=False, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"})
    )

    def clean_email(self) -> str:
        return self.cleaned_data["email"].strip().lower()


class EnrolmentCodeForm(forms.Form):
    code = forms.CharField(
        label="6-digit code from your authenticator app",
        max_length=16,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip().replace(" ", "")


class OTPForm(forms.Form):
    code = forms.CharField(
        label="Code from your authenticator app (or a recovery code)",
        max_length=16,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )

    def clean_code(self) -> str:
        return self.cleaned_data["code"].strip().replace(" ", "")
