from __future__ import annotations

from flask_wtf import FlaskForm

from app.models import Role
from app.web.admin.forms import borough_field, email_field, name_field, roles_field
from app.web.forms_common import select_field, submit_button, text_field


class UserFilterForm(FlaskForm):
    class Meta:
        csrf = False  # a GET search form changes nothing

    q = text_field("Name or email address", max_length=100)
    role = select_field("Role", [("", "Any role")] + [(r.value, r.label) for r in Role])
    borough = select_field("Borough", [])  # only for those who see more than one borough
    submit = submit_button("Filter")


class InviteUserForm(FlaskForm):
    """The view narrows the roles to those the coordinator may give, and removes the borough
    for a coordinator who can only invite people to their own."""

    name = name_field()
    email = email_field()
    roles = roles_field([Role.APPRENTICE, Role.MENTOR], hint="Select all that apply")
    borough = borough_field()
    submit = submit_button("Send invitation")
