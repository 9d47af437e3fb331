"""Forms for the second factor, the account page and sessions."""

from __future__ import annotations

from flask_wtf import FlaskForm

from app.web.forms_common import password_field, submit_button, text_field

CODE_HINT = "The 6-digit code your authenticator app shows for this service."


def code_field(hint: str = CODE_HINT):  # type: ignore[no-untyped-def]
    return text_field(
        "Code",
        required="Enter the 6-digit code from your authenticator app",
        max_length=20,
        hint=hint,
    )


class CodeForm(FlaskForm):
    code = code_field()
    submit = submit_button("Continue")


class RecoveryCodeForm(FlaskForm):
    code = text_field(
        "Recovery code",
        required="Enter one of your recovery codes",
        max_length=40,
        hint="One of the 10 codes you were given when you set up your authenticator app, "
        "for example abcd-efgh-jkmn-pqrs. Each code works once.",
    )
    submit = submit_button("Continue")


class SetUpForm(FlaskForm):
    code = code_field("Once you have added this service to the app, enter the code it shows.")
    submit = submit_button("Continue")


class AuthenticatorForm(FlaskForm):
    """Setting up or changing the app while signed in: the password again, then a code."""

    password = password_field("Your password", required="Enter your password")
    code = code_field("Once you have added this service to the app, enter the code it shows.")
    submit = submit_button("Save")


class TurnOffForm(FlaskForm):
    password = password_field("Your password", required="Enter your password")
    submit = submit_button("Turn off two-step verification")


class EndOtherSessionsForm(FlaskForm):
    submit = submit_button("Sign out of all other sessions")


class EndSessionForm(FlaskForm):
    """Only a CSRF token: the "sign out" button beside one session."""


class ResetSecondFactorForm(FlaskForm):
    submit = submit_button("Yes, reset two-step verification")


class EndAllSessionsForm(FlaskForm):
    submit = submit_button("Yes, sign them out everywhere")
