from __future__ import annotations

from flask_wtf import FlaskForm
from wtforms.validators import EqualTo

from app.domain.password_policy import MIN_LENGTH
from app.web.forms_common import password_field, submit_button, text_field

NEW_PASSWORD_HINT = (
    f"Use {MIN_LENGTH} characters or more. A few random words make a password that is long and "
    "easy to remember. You can paste it from a password manager."
)


class SignInForm(FlaskForm):
    email = text_field("Email address", required="Enter your email address", max_length=320)
    password = password_field("Password", required="Enter your password")
    submit = submit_button("Sign in")


class NewPasswordForm(FlaskForm):
    password = password_field(
        "New password", required="Enter a new password", hint=NEW_PASSWORD_HINT
    )
    confirm = password_field("Confirm new password", required="Enter the password again")
    submit = submit_button("Save password")

    def validate_confirm(self, field) -> None:  # type: ignore[no-untyped-def]
        EqualTo("password", message="The passwords do not match")(self, field)


class ChangePasswordForm(FlaskForm):
    current_password = password_field("Current password", required="Enter your current password")
    password = password_field(
        "New password", required="Enter a new password", hint=NEW_PASSWORD_HINT
    )
    confirm = password_field("Confirm new password", required="Enter the password again")
    submit = submit_button("Change password")

    validate_confirm = NewPasswordForm.validate_confirm


class ResetRequestForm(FlaskForm):
    email = text_field(
        "Email address",
        required="Enter your email address",
        max_length=320,
        hint="We will send a link to set a new password to this address if it has an account.",
    )
    submit = submit_button("Send the link")


class KeepAliveForm(FlaskForm):
    """Only a CSRF token: the "stay signed in" button of the timeout warning."""
