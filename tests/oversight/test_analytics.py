"""Appeal and reopen shares and the time spent in each state: computed by hand from a
fixture, shown to the oversight role, published as open data under the disclosure rules."""

from __future__ import annotations

from datetime import timedelta

from flask.testing import FlaskClient

from grievance.cases.events import record
from grievance.cases.models import Case
from grievance.extensions import db
from grievance.oversight import snapshots
from tests.conftest import Auth
from tests.oversight.helpers import T0, case_in, refresh

DAY = timedelta(days=1)


def _moves(case: Case, *steps: tuple[str, str, timedelta]) -> None:
    for source, target, after in steps:
        record(case, "transition", actor_id=None, actor_role="officer",
               from_state=source, to_state=target, at=T0 + after)  # fmt: skip


def _fixture() -> None:
    """Six answered and closed cases, one appealed before closing, one appealed after
    closing (reopened); four still waiting. Filed Monday 09:00; acknowledged Tuesday
    09:00 (1 working day in "submitted"), in progress Thursday 09:00 (2 in "acknowledged")."""
    for i in range(6):
        case = case_in("closed", resolution_proposed_at=T0 + 4 * DAY, closed_at=T0 + 8 * DAY)
        steps = [("submitted", "acknowledged", DAY), ("acknowledged", "in_progress", 3 * DAY),
                 ("in_progress", "resolution_proposed", 4 * DAY)]  # fmt: skip
        if i == 4:  # appealed against the answer, answered again
            steps += [("resolution_proposed", "appealed", 4 * DAY + timedelta(hours=2)),
                      ("appealed", "resolution_proposed", 7 * DAY)]  # fmt: skip
        steps.append(("resolution_proposed", "closed", 8 * DAY))
        if i == 5:  # appealed after closing: reopened, then the answer upheld
            steps += [("closed", "appealed", 9 * DAY), ("appealed", "closed", 10 * DAY)]
        _moves(case, *steps)
    for _ in range(4):
        case_in("submitted")
    db.session.flush()


def test_shares_and_state_times_are_computed_as_by_hand() -> None:
    _fixture()
    refresh()
    total = snapshots.figures(snapshots.latest())["all"]["all"]
    assert (total["answered_n"], total["appealed"]) == (6, 2)
    assert (total["finished_n"], total["reopened"]) == (6, 1)
    stays = snapshots.state_times()["state"]
    # Only stays that ended: the four cases still waiting are not counted.
    assert stays["submitted"] == {"stays": 6, "days_sum": 6.0}
    assert stays["acknowledged"] == {"stays": 6, "days_sum": 12.0}
    assert stays["appealed"]["stays"] == 2
    assert "closed" not in stays  # a final state is not a stay


def test_oversight_page_shows_the_shares_and_the_times(client: FlaskClient, auth: Auth) -> None:
    _fixture()
    refresh()
    auth.login("oversight")
    page = client.get("/oversight?lang=en").get_data(as_text=True)
    assert "Appeals and reopened cases, month by month" in page
    assert "33%" in page and "17%" in page  # 2 of 6 answered, 1 of 6 finished
    assert "Time in each state" in page and "Acknowledged" in page


def test_open_data_publishes_them_with_too_few_cases(client: FlaskClient) -> None:
    _fixture()
    refresh()
    records = client.get("/accountability/data.json").get_json()["records"]
    total = next(r for r in records if r["dimension"] == "all")
    assert (total["appeal_pct"], total["reopen_pct"]) == (33.3, 16.7)
    by_state = {r["key"]: r for r in records if r["dimension"] == "state"}
    assert by_state["submitted"]["days_in_state"] == 1.0
    assert by_state["acknowledged"]["days_in_state"] == 2.0
    assert by_state["appealed"]["days_in_state"] == "too few cases"  # 2 stays
    assert by_state["acknowledged"]["label_km"] != by_state["acknowledged"]["label_en"]
    month = next(r for r in records if r["dimension"] == "state_month")
    assert month["key"].count("|") == 1
    csv = client.get("/accountability/data.csv").get_data(as_text=True)
    assert "appeal_pct" in csv.splitlines()[0] and "days_in_state" in csv.splitlines()[0]
