"""fredapi against a loopback server speaking FRED's observations XML."""

from __future__ import annotations

import math
from datetime import date

import pytest

from portfolioos.market.fred import FredClient
from portfolioos.market.yahoo import NO_DATA, OFFLINE, RATE_LIMITED, SERVER_ERROR, FetchError
from tests.market.fixture_servers import FredServer, closed_port_url, monthly, serving


def test_observations_missing_values_and_start() -> None:
    series = monthly(date(2020, 1, 1), 30, 258.0, 0.5) | {date(2022, 7, 1): None}
    with serving(FredServer({"CPIAUCSL": series})) as srv:
        fred = FredClient("test-key", root_url=srv.url + "/fred")
        frame = fred.observations("CPIAUCSL")
        assert len(frame) == 31
        assert frame["value"].iloc[0] == 258.0
        assert math.isnan(frame.loc[frame["date"] == date(2022, 7, 1), "value"].iloc[0])
        later = fred.observations("CPIAUCSL", start=date(2022, 1, 1))
        assert later["date"].min() == date(2022, 1, 1)
        assert srv.observation_requests()[-1]["observation_start"] == ["2022-01-01"]


def test_fred_failures_are_told_apart() -> None:
    with serving(FredServer({"DGS10": {date(2024, 1, 2): 3.95}})) as srv:
        fred = FredClient("test-key", root_url=srv.url + "/fred")
        cases = {"NOSUCH": NO_DATA}
        for sid, kind in cases.items():
            with pytest.raises(FetchError) as err:
                fred.observations(sid)
            assert err.value.kind == kind
        srv.status_override["DGS10"] = 429
        with pytest.raises(FetchError) as limited:
            fred.observations("DGS10")
        assert limited.value.kind == RATE_LIMITED
        srv.status_override["DGS10"] = 500
        with pytest.raises(FetchError) as down:
            fred.observations("DGS10")
        assert down.value.kind == SERVER_ERROR
    with pytest.raises(FetchError) as offline:
        FredClient("k", root_url=closed_port_url() + "/fred").observations("DGS10")
    assert offline.value.kind == OFFLINE
