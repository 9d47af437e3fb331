"""Every model, imported here so `db.metadata` is complete whenever this package is imported."""

from app.models.audit import AuditAction, AuditEvent
from app.models.borough import Borough
from app.models.mentoring import MentorAssignment, MentorMeeting, MentorProfile
from app.models.programme import (
    Apprentice,
    ApprenticeImport,
    ApprenticeStatus,
    ApprenticeStatusEvent,
    Cohort,
    Placement,
    WithdrawalReason,
)
from app.models.recruitment import (
    Application,
    ApplicationDraft,
    ApplicationEvent,
    ApplicationImport,
    EqualityMonitoring,
    GuaranteedInterview,
    RateLimitHit,
    ResidenceRule,
    Stage,
    Vacancy,
    VacancyStatus,
    vacancy_eligible_borough,
)
from app.models.security import SignInFailure, SignInLock
from app.models.standard import KSB, GradeSet, Standard, TrainingProvider
from app.models.user import Role, User, UserRole, UserSession

__all__ = [
    "KSB",
    "Application",
    "ApplicationDraft",
    "ApplicationEvent",
    "ApplicationImport",
    "EqualityMonitoring",
    "GuaranteedInterview",
    "RateLimitHit",
    "ResidenceRule",
    "Stage",
    "Vacancy",
    "VacancyStatus",
    "vacancy_eligible_borough",
    "Apprentice",
    "ApprenticeImport",
    "ApprenticeStatus",
    "ApprenticeStatusEvent",
    "Cohort",
    "MentorAssignment",
    "MentorMeeting",
    "MentorProfile",
    "Placement",
    "WithdrawalReason",
    "AuditAction",
    "AuditEvent",
    "Borough",
    "GradeSet",
    "Role",
    "SignInFailure",
    "SignInLock",
    "Standard",
    "TrainingProvider",
    "User",
    "UserRole",
    "UserSession",
]
