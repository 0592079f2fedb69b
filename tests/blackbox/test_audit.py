"""One audit log across the planes: the sign-in of a federated exchange and the Key Vault calls
made with that token share a correlation id; refusals and ARM writes are recorded; records
land in audit.jsonl in the data dir.
"""
import json
import os

import pytest
from azure.core.exceptions import ClientAuthenticationError, HttpResponseError
from azure.keyvault.keys.crypto import CryptographyClient, KeyWrapAlgorithm

from flow import VAULT_SCOPE, setup_chain, use_workload_environment


def audit(chain, **query):
    r = chain.cloud.control("GET", "/_emulator/audit", None) if not query else chain.cloud.http.get(
        chain.cloud.emu.url("/_emulator/audit"), params=query, timeout=30)
    assert r.status_code == 200, r.text
    return r.json()["value"]


def test_exchange_and_unwraps_correlate_and_refusals_are_recorded(emulator_factory, tmp_path, monkeypatch):
    data = tmp_path / "data"
    emu = emulator_factory(data_dir=str(data))
    use_workload_environment(monkeypatch, emu)
    chain = setup_chain(emu)
    key = chain.customer_key_client().create_rsa_key("audited", size=2048)
    cc = CryptographyClient(key.id, chain.workload_credential())
    dek = os.urandom(32)
    wrapped = cc.wrap_key(KeyWrapAlgorithm.rsa_oaep_256, dek).encrypted_key
    assert cc.unwrap_key(KeyWrapAlgorithm.rsa_oaep_256, wrapped).key == dek

    unwraps = [e for e in audit(chain, category="AuditEvent", operation="KeyUnwrap") if e["resultType"] == "Success"]
    assert len(unwraps) == 1
    unwrap = unwraps[0]
    assert unwrap["objectId"] == chain.sp["id"] and unwrap["appId"] == chain.app["appId"]
    assert unwrap["authorizedBy"].lower() == chain.user_assignment.lower()
    assert unwrap["vault"] == chain.vault and unwrap["durationMs"] >= 0
    # The token it carried came from exactly one sign-in: the federated exchange, via the FIC.
    signins = audit(chain, category="SignIn", correlationId=unwrap["correlationId"])
    assert len(signins) == 1
    fed = signins[0]
    assert fed["result"] == "success" and fed["credentialType"] == "federated"
    assert fed["federatedCredential"] == chain.fic["name"] and fed["appId"] == chain.app["appId"]
    assert fed["tenantId"] == chain.customer["tenantId"] and fed["objectId"] == chain.sp["id"]
    mi = audit(chain, category="SignIn", principal=chain.uami["clientId"])
    assert mi and mi[-1]["credentialType"] == "managed_identity" and mi[-1]["tenantId"] == chain.provider["tenantId"]
    uti = unwrap["correlationId"]

    # a refused call and a refused exchange are recorded too
    chain.customer_key_client().update_key_properties("audited", enabled=False)
    with pytest.raises(HttpResponseError):
        cc.unwrap_key(KeyWrapAlgorithm.rsa_oaep_256, wrapped)
    refused = [e for e in audit(chain, category="AuditEvent", operation="KeyUnwrap") if e["resultType"] == "Failure"]
    assert refused and refused[-1]["resultSignature"] == "KeyDisabled" and refused[-1]["httpStatusCode"] == 403
    chain.cloud.graph("DELETE", "customer", f"/v1.0/servicePrincipals/{chain.sp['id']}")
    with pytest.raises(ClientAuthenticationError):
        chain.workload_credential().get_token(VAULT_SCOPE)
    failures = [s for s in audit(chain, category="SignIn", principal=chain.app["appId"]) if s["result"] == "failure"]
    assert failures and failures[-1]["errorCode"] == 700016

    writes = audit(chain, category="Activity", operation="Microsoft.KeyVault/vaults/write")
    assert any(w["scope"].lower() == chain.vault_id.lower() and w["result"] == "Succeeded" for w in writes)
    assert audit(chain, category="Activity", operation="Microsoft.Authorization/roleAssignments/write")

    lines = [json.loads(line) for line in (data / "audit.jsonl").read_text().splitlines()]
    assert any(line.get("correlationId") == uti and line["operationName"] == "KeyUnwrap" for line in lines)
    assert oct((data / "audit.jsonl").stat().st_mode & 0o777) == "0o600"

    # The history survives a restart: the query API reads back what audit.jsonl holds.
    before = len(audit(chain))
    port = emu.port
    emu.stop()
    emu.start(port=port)
    after = audit(chain)
    assert len(after) >= before, (before, len(after))
    assert any(e.get("correlationId") == uti and e.get("operationName") == "KeyUnwrap" for e in after)
    assert audit(chain, category="SignIn", correlationId=uti)


def test_audit_query_rejects_bad_since(emulator):
    import requests
    r = requests.get(emulator.url("/_emulator/audit"), params={"since": "yesterday"}, verify=str(emulator.ca_path), timeout=30)
    assert r.status_code == 400 and "since" in r.json()["error"]["message"]
