"""Phase 3 and its revocations with the real Python SDKs (azure-identity, azure-keyvault-keys),
challenge verification ON: wrap/unwrap as the provider's app through
ManagedIdentityCredential -> ClientAssertionCredential, then break each link and restore it.
"""
import os

import jwt as pyjwt
import pytest
from azure.core.exceptions import ClientAuthenticationError, HttpResponseError
from azure.keyvault.keys.crypto import CryptographyClient, KeyWrapAlgorithm

from flow import VAULT_SCOPE, b64, setup_chain, unb64, use_workload_environment


@pytest.fixture
def chain(emulator, monkeypatch):
    use_workload_environment(monkeypatch, emulator)
    c = setup_chain(emulator)
    c.key = c.customer_key_client().create_rsa_key(f"cmk-{os.urandom(3).hex()}", size=2048)
    return c


def raw(chain, op, body, token=None, key_id=None):
    tok = token or chain.workload_credential().get_token(VAULT_SCOPE).token
    return chain.cloud.http.post(f"{key_id or chain.key.id}/{op}?api-version=7.4", json=body, timeout=30,
                                 headers={"Authorization": "Bearer " + tok})


def test_workload_wraps_and_unwraps_with_customer_key(chain):
    cc = CryptographyClient(chain.key.id, chain.workload_credential())
    dek = os.urandom(32)
    wrapped = cc.wrap_key(KeyWrapAlgorithm.rsa_oaep_256, dek)
    assert wrapped.key_id == chain.key.id
    assert cc.unwrap_key(KeyWrapAlgorithm.rsa_oaep_256, wrapped.encrypted_key).key == dek


def test_exchanged_token_claims(chain):
    token = chain.workload_credential().get_token(VAULT_SCOPE).token
    claims = pyjwt.decode(token, options={"verify_signature": False})
    assert claims["tid"] == chain.customer["tenantId"]
    # A v1 token: appid/appidacr ("2": a federated assertion), no azp (access-token claims reference).
    assert claims["appid"] == chain.app["appId"] and claims["appidacr"] == "2" and "azp" not in claims
    assert claims["oid"] == chain.sp["id"]
    assert claims["iss"] == f"https://sts.windows.net/{chain.customer['tenantId']}/"
    assert claims["idtyp"] == "app"


def test_disable_key_breaks_unwrap_and_raw_wrap_then_enable_restores(chain):
    kc = chain.customer_key_client()
    cc = CryptographyClient(chain.key.id, chain.workload_credential())
    dek = os.urandom(32)
    wrapped = cc.wrap_key(KeyWrapAlgorithm.rsa_oaep_256, dek).encrypted_key

    kc.update_key_properties(chain.key.name, enabled=False)
    with pytest.raises(HttpResponseError) as e:
        cc.unwrap_key(KeyWrapAlgorithm.rsa_oaep_256, wrapped)
    assert e.value.status_code == 403
    assert "KeyDisabled" in str(e.value)
    r = raw(chain, "wrapkey", {"alg": "RSA-OAEP", "value": b64(dek)})
    assert r.status_code == 403 and r.json()["error"]["innererror"]["code"] == "KeyDisabled"
    # Azure still answers GET for a disabled key, with enabled=false.
    assert kc.get_key(chain.key.name).properties.enabled is False

    kc.update_key_properties(chain.key.name, enabled=True)
    assert cc.unwrap_key(KeyWrapAlgorithm.rsa_oaep_256, wrapped).key == dek
    r = raw(chain, "wrapkey", {"alg": "RSA-OAEP", "value": b64(dek)})
    assert r.status_code == 200
    r2 = raw(chain, "unwrapkey", {"alg": "RSA-OAEP", "value": r.json()["value"]})
    assert unb64(r2.json()["value"]) == dek


def test_removing_role_assignment_forbids_next_call_and_reassigning_restores(chain):
    c = chain.cloud
    cc = CryptographyClient(chain.key.id, chain.workload_credential())
    dek = os.urandom(32)
    wrapped = cc.wrap_key(KeyWrapAlgorithm.rsa_oaep, dek).encrypted_key
    r = c.arm("DELETE", "customer", chain.user_assignment, api="2022-04-01")
    assert r.status_code == 200, r.text
    with pytest.raises(HttpResponseError) as e:
        cc.unwrap_key(KeyWrapAlgorithm.rsa_oaep, wrapped)
    assert e.value.status_code == 403
    assert "ForbiddenByRbac" in str(e.value)
    assert "Microsoft.KeyVault/vaults/keys/unwrap/action" in str(e.value)
    assert f"oid={chain.sp['id']}" in str(e.value)
    r = c.assign("customer", chain.vault_id, "Key Vault Crypto Service Encryption User", chain.sp["id"])
    assert r.status_code == 201
    assert cc.unwrap_key(KeyWrapAlgorithm.rsa_oaep, wrapped).key == dek


def test_provider_tenant_token_gets_401_with_fresh_challenge(chain):
    provider_token = chain.cloud.token("provider", VAULT_SCOPE)
    r = raw(chain, "unwrapkey", {"alg": "RSA-OAEP", "value": b64(b"x" * 256)}, token=provider_token)
    assert r.status_code == 401
    assert "AKV10032" in r.json()["error"]["message"]
    challenge = r.headers["WWW-Authenticate"]
    assert chain.customer["tenantId"] in challenge and 'resource="' in challenge


def test_missing_token_gets_challenge_that_both_sdks_accept(chain):
    r = chain.cloud.http.post(f"{chain.key.id}/unwrapkey?api-version=7.4", json={}, timeout=30)
    assert r.status_code == 401
    assert r.json()["error"]["code"] == "Unauthorized"
    header = r.headers["WWW-Authenticate"]
    port = chain.vault_uri.rsplit(":", 1)[1]
    assert f'resource="https://vault.crosskey.test:{port}"' in header
    assert f'authorization="https://login.crosskey.test:{port}/{chain.customer["tenantId"]}"' in header


def test_deleted_service_principal_keeps_old_token_until_expiry_and_refuses_new_exchange(chain):
    c = chain.cloud
    old_token = chain.workload_credential().get_token(VAULT_SCOPE).token
    r = c.graph("DELETE", "customer", f"/v1.0/servicePrincipals/{chain.sp['id']}")
    assert r.status_code == 204
    # A new exchange is refused at once...
    with pytest.raises(ClientAuthenticationError) as e:
        chain.workload_credential().get_token(VAULT_SCOPE)
    assert "AADSTS700016" in str(e.value)
    # ...but the token already issued keeps working: RBAC still names the (deleted) object id.
    dek = os.urandom(32)
    r = raw(chain, "wrapkey", {"alg": "RSA-OAEP-256", "value": b64(dek)}, token=old_token)
    assert r.status_code == 200, r.text
    # Until it expires on the emulator clock (lifetime 3599 s + 5 min skew).
    c.advance_clock(3599 + 301)
    r = raw(chain, "wrapkey", {"alg": "RSA-OAEP-256", "value": b64(dek)}, token=old_token)
    assert r.status_code == 401
    c.advance_clock(-(3599 + 301))


def test_disabled_service_principal_refuses_new_tokens(chain):
    c = chain.cloud
    r = c.graph("PATCH", "customer", f"/v1.0/servicePrincipals/{chain.sp['id']}", {"accountEnabled": False})
    assert r.status_code == 204
    with pytest.raises(ClientAuthenticationError) as e:
        chain.workload_credential().get_token(VAULT_SCOPE)
    assert "AADSTS7000112" in str(e.value)
    r = c.graph("PATCH", "customer", f"/v1.0/servicePrincipals/{chain.sp['id']}", {"accountEnabled": True})
    assert chain.workload_credential().get_token(VAULT_SCOPE).token


def test_removed_fic_refuses_exchange_with_700211_and_restoring_it_works(chain):
    c = chain.cloud
    r = c.graph("DELETE", "provider", f"/v1.0/applications/{chain.app['id']}/federatedIdentityCredentials/{chain.fic['id']}")
    assert r.status_code == 204
    with pytest.raises(ClientAuthenticationError) as e:
        chain.workload_credential().get_token(VAULT_SCOPE)
    assert "AADSTS700211" in str(e.value)
    r = c.graph("POST", "provider", f"/v1.0/applications/{chain.app['id']}/federatedIdentityCredentials",
                {k: chain.fic[k] for k in ("name", "issuer", "subject", "audiences")})
    assert r.status_code == 201
    assert chain.workload_credential().get_token(VAULT_SCOPE).token


def test_deleted_uami_cannot_get_tokens(chain):
    r = chain.cloud.arm("DELETE", "provider", chain.uami_id)
    assert r.status_code == 200
    with pytest.raises(ClientAuthenticationError):
        chain.workload_credential().get_token(VAULT_SCOPE)


def test_role_removal_takes_effect_after_configured_propagation_delay(emulator_factory, monkeypatch):
    emu = emulator_factory(extra_args=["--rbac-propagation-delay", "120"])
    use_workload_environment(monkeypatch, emu)
    chain = setup_chain(emu)
    chain.key = chain.customer_key_client().create_rsa_key("cmk-delay", size=2048)
    token = chain.workload_credential().get_token(VAULT_SCOPE).token
    body = {"alg": "RSA-OAEP", "value": b64(os.urandom(32))}
    assert raw(chain, "wrapkey", body, token=token).status_code == 200
    assert chain.cloud.arm("DELETE", "customer", chain.user_assignment, api="2022-04-01").status_code == 200
    # Still granted while the removal propagates...
    assert raw(chain, "wrapkey", body, token=token).status_code == 200
    chain.cloud.advance_clock(121)
    try:
        r = raw(chain, "wrapkey", body, token=token)
        assert r.status_code == 403 and r.json()["error"]["innererror"]["code"] == "ForbiddenByRbac"
    finally:
        chain.cloud.advance_clock(-121)
