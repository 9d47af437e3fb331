"""Objecting to equality monitoring, through the link in the application receipt."""

from __future__ import annotations

from flask import current_app, redirect, render_template, request
from flask.typing import ResponseReturnValue

from app.domain import objection
from app.domain.errors import NotFound
from app.extensions import db
from app.web.admin.data_rights_forms import ObjectionForm
from app.web.public import bp
from app.web.public.apply import no_store


@bp.route("/applications/equality-objection/<objection_token>", methods=["GET", "POST"])
@no_store
def equality_objection(objection_token: str) -> ResponseReturnValue:
    secret = current_app.config["SECRET_KEY"]
    try:
        application = objection.application_for_objection_token(db.session, secret, objection_token)
    except NotFound:
        return render_template("public/objection_invalid.html"), 400
    form = ObjectionForm()
    if form.validate_on_submit():
        objection.record_objection(db.session, application, actor=None)
        db.session.commit()
        return redirect(request.path)
    return render_template(
        "public/objection.html",
        objection_form=form,
        application=application,
        objected=objection.has_objected(db.session, application.id),
    )
