from django import forms


class TokenForm(forms.Form):
    token = forms.CharField(
        label="Security code",
        max_length=8,
        min_length=6,
        help_text="The 6-digit code from your authenticator app.",
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def clean_token(self):
        token = self.cleaned_data["token"].strip().replace(" ", "")
        if not token.isdigit():
            raise forms.ValidationError("Enter the code using numbers only.")
        return token
