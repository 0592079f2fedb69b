"""`crosskey rehearse`: every shipped scenario (fixtures/scenarios, the eight revocation paths
for each of the four consumer kinds) passes against a running emulator; the runner also
rehearses a chain built by the real clients; a failed expectation exits non-zero; bad
scenarios are refused before anything runs.
"""
import json
import os
import signal
import subprocess
import uuid

import pytest

from flow import setup_chain, use_workload_environment
from harness import REPO, default_binary

SCENARIOS = REPO / "fixtures" / "scenarios"
KINDS = ("storage", "cosmos", "disks", "sql")
PATHS = ("1-key-disabled", "2-key-deleted", "3-key-purged", "4-key-expired", "5-role-removed",
         "6a-sp-disabled", "6b-sp-deleted", "7-fic-removed", "8-uami-deleted")
# Runbooks beyond the revocation paths: SQL's 30-minute auto-heal window and revalidation.
EXTRA = ("sql/10-heal-window.json",)
TOTAL = len(KINDS) * len(PATHS) + len(EXTRA)


def rehearse(*args, timeout=600):
    return subprocess.run([str(default_binary()), "rehearse", *map(str, args)], capture_output=True, text=True,
                          timeout=timeout)


def against(emu, *args, **kw):
    return rehearse("--url", f"https://127.0.0.1:{emu.port}", "--ca", emu.ca_path, *args, **kw)


def test_every_kind_ships_every_revocation_path():
    shipped = sorted(p.relative_to(SCENARIOS).as_posix() for p in SCENARIOS.rglob("*.json"))
    assert shipped == sorted([f"{k}/{p}.json" for k in KINDS for p in PATHS] + list(EXTRA))


def test_every_shipped_scenario_passes_against_a_running_emulator(emulator_factory, tmp_path):
    emu = emulator_factory()
    out = tmp_path / "timelines"
    r = against(emu, "--out", out, SCENARIOS)
    assert r.returncode == 0, r.stdout[-4000:] + r.stderr
    assert f"ALL PASSED: {TOTAL}/{TOTAL}" in r.stdout
    timelines = {json.loads(p.read_text())["scenario"]: json.loads(p.read_text()) for p in out.glob("*.json")}
    assert len(timelines) == TOTAL and all(t["passed"] for t in timelines.values())
    heal = timelines["sql/10-heal-window"]["steps"]
    assert [s["state"] for s in heal if s["step"].startswith("expect")][-3:] == ["Inaccessible", "Inaccessible", "Online"]

    # What a rehearsal teaches, read off the JSON timeline: a key path bites at the first check
    # (10 min here), an identity path only when the platform's cached token has expired (1 h).
    def first_broken(name):
        t = timelines[name]
        return next(s["elapsedSeconds"] for s in t["steps"] if s.get("state") in ("Inaccessible", "Revoked"))
    for kind in KINDS:
        assert first_broken(f"{kind}/1-key-disabled") == 11 * 60
        assert first_broken(f"{kind}/5-role-removed") == 11 * 60
        for path in ("6a-sp-disabled", "6b-sp-deleted", "7-fic-removed", "8-uami-deleted"):
            assert first_broken(f"{kind}/{path}") == 61 * 60, (kind, path)
    # The platform's own sign-in failure is what the consumer reports for path 7.
    fic = timelines["storage/7-fic-removed"]["steps"]
    assert any("AADSTS700211" in s.get("error", "") for s in fic)
    # A purged key never comes back, even as a new key of the same name.
    purged = timelines["sql/3-key-purged"]["steps"]
    assert purged[-1]["state"] == "Inaccessible" and "KeyNotFound" in purged[-1]["error"]
    # The text timeline shows the clock, the step, the state and the error.
    assert "T+1h01m00s" in r.stdout and "revoke fic-removed" in r.stdout and "AADSTS700211" in r.stdout


def test_rehearse_a_chain_built_by_the_real_clients(emulator, monkeypatch, tmp_path):
    """Phases 1-2 with the Python SDK (flow.setup_chain), phase 3 by ARM REST; then a scenario
    without a fixture rehearses that very chain."""
    use_workload_environment(monkeypatch, emulator)
    c = setup_chain(emulator, vault_prefix="rh")
    key = c.customer_key_client().create_rsa_key(f"cmk-{os.urandom(3).hex()}", size=2048)
    group = f"/subscriptions/{c.provider['subscriptionId']}/resourceGroups/{c.uami_id.split('/')[4]}"
    name = f"st{uuid.uuid4().hex[:10]}"
    body = {"location": "westus", "kind": "StorageV2", "sku": {"name": "Standard_LRS"},
            "identity": {"type": "UserAssigned", "userAssignedIdentities": {c.uami_id: {}}},
            "properties": {"encryption": {"keySource": "Microsoft.Keyvault",
                                          "keyvaultproperties": {"keyvaulturi": c.vault_uri, "keyname": key.name},
                                          "identity": {"userAssignedIdentity": c.uami_id,
                                                       "federatedIdentityClientId": c.app["appId"]}}}}
    r = c.cloud.arm_done("PUT", "provider", f"{group}/providers/Microsoft.Storage/storageAccounts/{name}", body,
                         api="2023-01-01")
    assert r.status_code == 200, r.text
    scenario = {"name": "mine/role-then-fic", "consumer": name, "steps": [
        {"check": True},
        {"expect": {"state": "Healthy"}},
        {"write": {"item": "a", "data": "secret"}},
        {"revoke": "role-removed"},
        {"check": True},
        {"expect": {"state": "Inaccessible", "error": "ForbiddenByRbac"}},
        {"restore": "role-removed"},
        {"check": True},
        {"read": {"item": "a", "expect": "secret"}},
        {"revoke": "fic-removed"},
        {"advance": "2h"},
        {"expect": {"state": "Inaccessible", "error": "AADSTS700211"}},
        {"restore": "fic-removed"},
        {"check": True},
        {"expect": {"state": "Healthy"}}]}
    path = tmp_path / "mine.json"
    path.write_text(json.dumps(scenario))
    r = against(emulator, "--out", tmp_path / "out", path)
    assert r.returncode == 0, r.stdout + r.stderr
    # The role assignment came back under its old name; the FIC under its old name.
    c.cloud.forget_tokens()  # the rehearsal moved the clock 2 h: the test's tokens expired
    assert c.cloud.arm("GET", "customer", c.user_assignment, api="2022-04-01").status_code == 200
    fics = c.cloud.graph("GET", "provider", f"/v1.0/applications/{c.app['id']}/federatedIdentityCredentials").json()["value"]
    assert [f["name"] for f in fics] == [c.fic["name"]]
    assert c.cloud.control("GET", "/_emulator/clock").json()["frozen"] is False


def test_a_failed_expectation_fails_the_run_in_process(tmp_path):
    """No --url: the runner starts its own emulator in the process."""
    scenario = json.loads((SCENARIOS / "storage" / "1-key-disabled.json").read_text())
    scenario["fixture"] = str(REPO / "fixtures" / "cmk-consumers.json")
    scenario["steps"][4] = {"expect": {"state": "Inaccessible"}}  # wrong: no check has run yet
    path = tmp_path / "wrong.json"
    path.write_text(json.dumps(scenario))
    r = rehearse("--out", tmp_path / "out", path)
    assert r.returncode == 1, r.stdout + r.stderr
    assert "FAIL storage/1-key-disabled (13 steps, 1 failed)" in r.stdout
    assert "expected state Inaccessible, saw Healthy" in r.stdout
    t = json.loads((tmp_path / "out" / "storage-1-key-disabled.json").read_text())
    assert t["passed"] is False and [s["ok"] for s in t["steps"]].count(False) == 1


@pytest.mark.parametrize("scenario,message", [
    ({"consumer": "x", "steps": [{"revoke": "key-stolen"}]}, "$.steps[0].revoke: unknown revocation path 'key-stolen'"),
    ({"consumer": "x", "steps": []}, "$.steps: a non-empty array"),
    ("{not json", "not valid JSON"),
])
def test_bad_scenarios_are_refused_before_anything_runs(tmp_path, scenario, message):
    path = tmp_path / "bad.json"
    path.write_text(scenario if isinstance(scenario, str) else json.dumps(scenario))
    r = rehearse("--url", "https://127.0.0.1:1", path)
    assert r.returncode == 2 and message in r.stderr, r.stderr


def test_usage_errors_and_unknown_consumer(emulator_factory, tmp_path):
    r = rehearse()
    assert r.returncode == 2 and "name at least one scenario" in r.stderr
    r = rehearse("--bogus", "x")
    assert r.returncode == 2 and "unknown flag" in r.stderr
    r = rehearse(tmp_path / "missing.json")
    assert r.returncode == 2 and "no such scenario" in r.stderr
    assert rehearse("--help").returncode == 0
    emu = emulator_factory()
    path = tmp_path / "ghost.json"
    path.write_text(json.dumps({"consumer": "ghost", "steps": [{"expect": {"state": "Healthy"}}]}))
    r = against(emu, "--out", tmp_path / "out", path)
    assert r.returncode == 1 and "no consumer named 'ghost'" in r.stdout, r.stdout


def test_admin_token_is_sent_to_the_control_api(tmp_path):
    proc = subprocess.Popen([str(default_binary()), "serve", "--port", "0", "--mi-port", "0", "--admin-token", "s3cret",
                             "--data-dir", str(tmp_path / "d")], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                            text=True, start_new_session=True)
    try:
        port = int(proc.stdout.readline().split('"port": ')[1].split(",")[0])
        url = ["--url", f"https://127.0.0.1:{port}", "--ca", tmp_path / "d" / "ca.pem", "--out", tmp_path / "out"]
        scenario = SCENARIOS / "storage" / "1-key-disabled.json"
        r = rehearse(*url, scenario)
        assert r.returncode == 1 and "Unauthorized" in r.stdout + r.stderr
        r = rehearse(*url, "--admin-token", "s3cret", scenario)
        assert r.returncode == 0, r.stdout + r.stderr
    finally:
        os.killpg(proc.pid, signal.SIGTERM)
        proc.wait(timeout=10)
