from __future__ import annotations

from flask_wtf import FlaskForm

from app.web.forms_common import password_field, submit_button, text_field


class SignInForm(FlaskForm):
    email = text_field("Email address", required="Enter your email address", max_length=320)
    password = password_field("Password", required="Enter your password")
    submit = submit_button("Sign in")
