from flask import Blueprint
from flask_login import LoginManager

bp = Blueprint("auth", __name__)


def init_login(login_manager: LoginManager) -> None:
    from app.web.auth.views import load_user

    login_manager.user_loader(load_user)
    login_manager.login_view = "auth.sign_in"
    login_manager.session_protection = None  # sessions are server-side and rotated at sign-in


from app.web.auth import account, second_factor, views  # noqa: E402, F401
