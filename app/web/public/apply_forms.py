"""Forms of the application journey: one per question page, plus the start, check, equality and
withdrawal pages.

Every answer is checked by the rules in app.domain.applications (the same functions `submit`
uses again), so the pages and the submission can never disagree. A form saves its answers as
strings, which is how the draft keeps them.
"""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, ClassVar

from flask_wtf import FlaskForm
from govuk_frontend_wtf.wtforms_widgets import (
    GovCharacterCount,
    GovRadioInput,
    GovSelect,
    GovTextInput,
)
from wtforms import Field, RadioField, SelectField, StringField, TextAreaField
from wtforms.validators import ValidationError

from app.domain import applications as rules
from app.domain.errors import DomainError
from app.models import GuaranteedInterview, Vacancy
from app.web.forms_common import GovDateField, choices, submit_button

YES_NO = ((rules.YES, "Yes"), (rules.NO, "No"))


@dataclass(frozen=True)
class StepContext:
    """What the checks of a page need: the vacancy (with its details loaded), today, and the
    boroughs one may live in."""

    vacancy: Vacancy
    today: date
    borough_ids: Collection[int] = ()


def _strip(value: Any) -> Any:
    return value.strip() if isinstance(value, str) else value


def _text(label: str, hint: str = "") -> StringField:
    # Checked (length included) by the domain's rules in the form's validate_<field>.
    return StringField(label, widget=GovTextInput(), description=hint, filters=[_strip])


def _radios(label: str, options: Collection[tuple[str, str]], hint: str = "") -> RadioField:
    # Any value is accepted here; the domain's rules refuse one that is not an option, with a
    # GOV.UK message rather than "Not a valid choice".
    return RadioField(
        label,
        choices=choices(options),
        widget=GovRadioInput(),
        description=hint,
        validate_choice=False,
    )


def _check(
    form: StepForm,
    target: Field,
    clean: Callable[..., Any],
    *args: Any,
    keep: bool = True,
    **kwargs: Any,
) -> None:
    """Run a domain rule on the field. Its tidied value is what the form saves (`keep`); what
    was typed stays in the field, to be shown again if another answer on the page is wrong."""
    try:
        cleaned = clean(target.data, *args, **kwargs)
    except DomainError as error:
        raise ValidationError(error.message) from None
    if keep:
        form.cleaned[target.name] = cleaned


class StepForm(FlaskForm):
    """A question page. `saved` names the answers it keeps in the draft."""

    saved: ClassVar[tuple[str, ...]] = ()

    def __init__(self, *args: Any, context: StepContext, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.context = context
        self.cleaned: dict[str, Any] = {}

    def asked(self) -> tuple[str, ...]:
        return tuple(name for name in self.saved if name in self)

    def fill(self, answers: Mapping[str, str]) -> None:
        for name in self.asked():
            self[name].data = answers.get(name)

    def answers(self) -> dict[str, str]:
        """The answers to save (after validation): tidied where a rule tidies them."""
        return {name: str(self.cleaned.get(name, self[name].data)) for name in self.asked()}


class NameForm(StepForm):
    saved = ("name",)
    name = _text("What is your full name?")

    def validate_name(self, field: Field) -> None:
        _check(self, field, rules.clean_name)


class ContactForm(StepForm):
    saved = ("email", "phone")
    email = _text("Email address", hint="We will send your confirmation to this address")
    phone = _text("UK phone number", hint="For example, 07700 900 982 or 020 7946 0000")

    def validate_email(self, field: Field) -> None:
        _check(self, field, rules.clean_email)

    def validate_phone(self, field: Field) -> None:
        _check(self, field, rules.clean_phone)


class _DateField(GovDateField):
    """The shared GOV.UK date field, also refusing a day or month so large that making the date
    overflows (OverflowError, which WTForms would not catch: a 500)."""

    def process_formdata(self, valuelist: list[str]) -> None:
        try:
            super().process_formdata(valuelist)
        except OverflowError:
            self.data = None
            raise ValueError(f"{self.label.text} must be a real date") from None


class DateOfBirthForm(StepForm):
    saved = ("date_of_birth",)
    # The label is used in the field's messages ("Date of birth must be a real date"); the page
    # asks the question in its heading.
    date_of_birth = _DateField(
        "Date of birth",
        required_message="Enter your date of birth",
        description="For example, 27 3 2007",
    )

    def validate_date_of_birth(self, field: Field) -> None:
        _check(self, field, rules.check_date_of_birth, self.context.today)

    def fill(self, answers: Mapping[str, str]) -> None:
        try:
            self.date_of_birth.data = date.fromisoformat(answers.get("date_of_birth") or "")
        except ValueError:
            self.date_of_birth.data = None

    def answers(self) -> dict[str, str]:
        return {"date_of_birth": self.date_of_birth.data.isoformat()}


class PostcodeForm(StepForm):
    saved = ("postcode",)
    postcode = _text("What is your postcode?", hint="For example, E8 1EA")

    def validate_postcode(self, field: Field) -> None:
        _check(self, field, rules.clean_postcode)


class ResidenceForm(StepForm):
    """The view fills in the choices: every borough, then outside London."""

    saved = ("residence",)
    residence = SelectField(
        "Which London borough do you live in?",
        choices=[],
        widget=GovSelect(),
        description="If you do not live in London, choose “I live outside London”",
        validate_choice=False,
    )

    def validate_residence(self, field: Field) -> None:
        _check(self, field, rules.clean_residence, self.context.borough_ids, keep=False)


class _YesNoForm(StepForm):
    def _yes_no(self, field: Field) -> None:
        message = rules.yes_no_messages(self.context.vacancy)[field.name]
        _check(self, field, rules.clean_yes_no, field=field.name, message=message, keep=False)


class EligibilityForm(_YesNoForm):
    """The view names the employing borough in the questions and removes any the vacancy does
    not ask."""

    saved = ("educated_in_borough", "care_leaver")
    educated_in_borough = _radios(
        "Did you go to a secondary school or college in the borough?",
        YES_NO,
        hint="For at least one school year",
    )
    care_leaver = _radios(
        "Are you a care leaver supported by the borough?",
        YES_NO,
        hint="A care leaver is someone who was looked after by a council for at least 13 weeks "
        "after their 14th birthday",
    )

    def validate_educated_in_borough(self, field: Field) -> None:
        self._yes_no(field)

    def validate_care_leaver(self, field: Field) -> None:
        self._yes_no(field)


class RightToWorkForm(_YesNoForm):
    saved = ("right_to_work",)
    right_to_work = _radios(
        "Do you have the right to work in the UK?",
        YES_NO,
        hint="For example, as a British or Irish citizen, or with settled or pre-settled status. "
        "The council will check your documents before you start.",
    )

    def validate_right_to_work(self, field: Field) -> None:
        self._yes_no(field)


class EducationForm(_YesNoForm):
    """The view puts the cohort's start date in the question."""

    saved = ("full_time_education",)
    full_time_education = _radios(
        "Will you be in full-time education when the apprenticeship starts?",
        YES_NO,
        hint="For example, at school, sixth form, college or university. Part-time study is fine.",
    )

    def validate_full_time_education(self, field: Field) -> None:
        self._yes_no(field)


class GuaranteedInterviewForm(StepForm):
    saved = ("guaranteed_interview",)
    guaranteed_interview = _radios(
        "Do you want to apply under the guaranteed interview scheme?",
        [
            (GuaranteedInterview.NO.value, "No"),
            (
                GuaranteedInterview.DISABILITY.value,
                "Yes, I have a disability (Disability Confident scheme)",
            ),
            (GuaranteedInterview.CARE_LEAVER.value, "Yes, I am a care leaver"),
        ],
        hint="If you meet the essential requirements for the job, you will be offered an "
        "interview. The recruitment team will see your answer.",
    )

    def validate_guaranteed_interview(self, field: Field) -> None:
        _check(self, field, rules.clean_guaranteed_interview, keep=False)


class StatementForm(StepForm):
    saved = ("supporting_statement",)
    supporting_statement = TextAreaField(
        "Supporting statement",
        widget=GovCharacterCount(),
        description="Tell us why you want this apprenticeship and what you would bring to it. "
        "You can include things you have done at school, college, work or in your free time.",
    )

    def validate_supporting_statement(self, field: Field) -> None:
        _check(self, field, rules.clean_statement)


STEP_FORMS: dict[rules.Step, type[StepForm]] = {
    rules.Step.NAME: NameForm,
    rules.Step.CONTACT: ContactForm,
    rules.Step.DATE_OF_BIRTH: DateOfBirthForm,
    rules.Step.POSTCODE: PostcodeForm,
    rules.Step.RESIDENCE: ResidenceForm,
    rules.Step.ELIGIBILITY: EligibilityForm,
    rules.Step.RIGHT_TO_WORK: RightToWorkForm,
    rules.Step.EDUCATION: EducationForm,
    rules.Step.GUARANTEED_INTERVIEW: GuaranteedInterviewForm,
    rules.Step.STATEMENT: StatementForm,
}


class StartForm(FlaskForm):
    submit = submit_button("Start your application")


class CheckForm(FlaskForm):
    """`website` is the honeypot: the page hides it from sight and from assistive technology,
    so people leave it blank; simple bots fill it in like any other field."""

    website = StringField("Leave this blank", filters=[_strip])
    submit = submit_button("Accept and send application")

    def is_bot(self) -> bool:
        return bool(self.website.data)


class WithdrawForm(FlaskForm):
    submit = submit_button("Withdraw my application")


class EqualityForm(FlaskForm):
    """Every question optional; each offers "Prefer not to say"."""

    gender = _radios("What is your sex or gender?", rules.GENDERS)
    ethnic_group = _radios(
        "What is your ethnic group?",
        rules.ethnic_group_choices(),
        hint="The categories of the 2021 Census in England and Wales",
    )
    disability = _radios(
        "Do you have a disability or long-term health condition?",
        rules.YES_NO_PREFER_NOT,
        hint="A physical or mental health condition or illness that has lasted, or is expected "
        "to last, 12 months or more",
    )
    care_experience = _radios(
        "Have you ever been in care?",
        rules.YES_NO_PREFER_NOT,
        hint="For example, in foster care, residential care or kinship care arranged by a council",
    )
    submit = submit_button("Send answers")

    def validate(self, extra_validators: Mapping[str, Any] | None = None) -> bool:
        valid = super().validate(extra_validators)
        for name, allowed in rules.EQUALITY_CHOICES.items():
            field = self[name]
            if field.data in ("", None):
                field.data = None
            elif field.data not in allowed:
                field.errors = [*field.errors, "Select one of the options, or leave it blank"]
                valid = False
        return valid

    def answers(self) -> rules.EqualityAnswers:
        return rules.EqualityAnswers(**{name: self[name].data for name in rules.EQUALITY_CHOICES})
