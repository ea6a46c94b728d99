"""The decision variables of the week's model, one per candidate and nothing more.

Sessions: a run literal per session, a seat literal per (session, father)
who could sit there, and a literal per (session, volunteer) and (session,
officer) for staff eligible for it, and for a session with escorts a literal
that it has them all and one per father seated in it so. Individual activities: a literal per
father slot (father, activity, start, room pool), and staff literals per
(institution, activity, start, person), so a volunteer is chosen per used
start rather than per father.
"""

from __future__ import annotations

from ortools.sat.python import cp_model

from solver.candidates import Candidates


class Variables:
    """The model's decision literals, keyed by what they decide."""

    def __init__(self, model: cp_model.CpModel, candidates: Candidates) -> None:
        self.run: dict[str, cp_model.IntVar] = {}
        self.seat: dict[tuple[str, str], cp_model.IntVar] = {}
        self.session_volunteer: dict[tuple[str, str], cp_model.IntVar] = {}
        self.session_officer: dict[tuple[str, str], cp_model.IntVar] = {}
        # A session with all its escorts, and each father seated in one (his escorted visit).
        self.escorted: dict[str, cp_model.IntVar] = {}
        self.escorted_seat: dict[tuple[str, str], cp_model.IntVar] = {}
        for session in candidates.sessions:
            key = session.session
            self.run[key] = model.new_bool_var(f"run[{key}]")
            if session.escorts:
                self.escorted[key] = model.new_bool_var(f"escorted[{key}]")
                for father in session.fathers:
                    self.escorted_seat[key, father] = model.new_bool_var(
                        f"escorted_seat[{key},{father}]"
                    )
            for father in session.fathers:
                self.seat[key, father] = model.new_bool_var(f"seat[{key},{father}]")
            for volunteer in session.volunteers:
                self.session_volunteer[key, volunteer] = model.new_bool_var(
                    f"volunteer[{key},{volunteer}]"
                )
            for officer in session.officers:
                self.session_officer[key, officer] = model.new_bool_var(f"officer[{key},{officer}]")
        self.slot = [
            model.new_bool_var(f"slot[{s.father},{s.activity},{s.start},{s.pool}]")
            for s in candidates.slots
        ]
        self.slot_volunteer = [
            model.new_bool_var(f"volunteer[{s.activity},{s.start},{s.person}]")
            for s in candidates.slot_volunteers
        ]
        self.slot_officer = [
            model.new_bool_var(f"officer[{s.activity},{s.start},{s.person}]")
            for s in candidates.slot_officers
        ]

    def staffing(self) -> list[cp_model.IntVar]:
        """Give the literals of which sessions run, with escorts, and who staffs each start.

        Held at a roster's values, what is left to decide is who sits where:
        the seats, escorted seats and individual slots
        (``solver.search.held_sessions``).
        """
        return [
            *self.run.values(),
            *self.escorted.values(),
            *self.session_volunteer.values(),
            *self.session_officer.values(),
            *self.slot_volunteer,
            *self.slot_officer,
        ]
