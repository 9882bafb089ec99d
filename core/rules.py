"""What every app's ``rules`` module gives back: the problems a rule found, which a form shows on
its fields (``add_problems``) and an import gives as the row's problem naming its column
(``imports.resources.first_problem``). The rules themselves live in each app (``shelters.rules``,
``volunteers.rules``, ``subsidies.rules``), one function a rule, called by both paths."""

from dataclasses import dataclass

from django.utils.functional import Promise


@dataclass(frozen=True)
class Problem:
    """What a rule found wrong: the form field it belongs to, why, and the import column when
    it is not the field's own name."""

    field: str | None
    message: str | Promise
    column: str | None = None

    @property
    def where(self) -> str:
        """The import column the problem names."""
        return self.column or self.field or ""


def add_problems(form, problems) -> None:
    """A rule's problems as the form's errors, each on its field (a field the form does not have:
    the form's own error). A field that already failed its own cleaning keeps that error alone."""
    failed = set(form.errors)
    for problem in problems:
        field = problem.field if problem.field in form.fields else None
        if field is not None and field in failed:
            continue
        form.add_error(field, problem.message)
