"""The Entra token service and managed-identity endpoint, through the real Python clients
(azure-identity, msal, PyJWT) and raw form posts for each AADSTS failure.
"""
import base64
import json
import time
import uuid

import jwt as pyjwt
import msal
import pytest
import requests
from azure.core.exceptions import ClientAuthenticationError
from azure.identity import ClientAssertionCredential, ClientSecretCredential, ManagedIdentityCredential

from flow import EXCHANGE_SCOPE, VAULT_SCOPE, setup_chain, use_workload_environment


@pytest.fixture(scope="module")
def chain(emulator):
    mp = pytest.MonkeyPatch()
    use_workload_environment(mp, emulator)
    yield setup_chain(emulator)
    mp.undo()


def post_token(chain, tenant, form, v1=False):
    path = "oauth2/token" if v1 else "oauth2/v2.0/token"
    return chain.cloud.http.post(f"{chain.cloud.login}/{tenant}/{path}", data=form, timeout=30)


def jwks_key(chain, token):
    tid = pyjwt.decode(token, options={"verify_signature": False})["tid"]
    jwks = chain.cloud.http.get(f"{chain.cloud.login}/{tid}/discovery/v2.0/keys", timeout=30).json()
    kid = pyjwt.get_unverified_header(token)["kid"]
    jwk = next(k for k in jwks["keys"] if k["kid"] == kid)
    assert not any(f in jwk for f in ("d", "p", "q", "dp", "dq", "qi"))
    return pyjwt.algorithms.RSAAlgorithm.from_jwk(json.dumps(jwk))


def mi_assertion(chain):
    return ManagedIdentityCredential(client_id=chain.uami["clientId"]).get_token(EXCHANGE_SCOPE).token


def test_client_secret_credential_token_verifies_against_jwks(chain):
    cu = chain.customer
    cred = ClientSecretCredential(cu["tenantId"], cu["adminApp"]["appId"], cu["adminApp"]["clientSecret"],
                                  authority=chain.cloud.login, instance_discovery=False)
    token = cred.get_token("https://management.azure.com/.default").token
    claims = pyjwt.decode(token, jwks_key(chain, token), algorithms=["RS256"], audience="https://management.azure.com")
    assert claims["tid"] == cu["tenantId"] and claims["appid"] == cu["adminApp"]["appId"] and claims["appidacr"] == "1"
    assert claims["oid"] == cu["adminApp"]["servicePrincipalObjectId"] and claims["exp"] > time.time()


def test_managed_identity_token_for_exchange_has_v2_issuer_and_principal_subject(chain):
    token = mi_assertion(chain)
    claims = pyjwt.decode(token, jwks_key(chain, token), algorithms=["RS256"], audience="api://AzureADTokenExchange")
    assert claims["iss"] == f"https://login.microsoftonline.com/{chain.provider['tenantId']}/v2.0"
    assert claims["sub"] == claims["oid"] == chain.uami["principalId"]
    assert claims["tid"] == chain.provider["tenantId"]


def test_msal_confidential_client_with_federated_assertion(chain):
    app = msal.ConfidentialClientApplication(
        chain.app["appId"], client_credential={"client_assertion": mi_assertion(chain)},
        authority=f"{chain.cloud.login}/{chain.customer['tenantId']}", validate_authority=False,
        verify=str(chain.cloud.emu.ca_path))
    result = app.acquire_token_for_client(scopes=[VAULT_SCOPE])
    assert "access_token" in result, result
    claims = pyjwt.decode(result["access_token"], options={"verify_signature": False})
    assert claims["tid"] == chain.customer["tenantId"] and claims["oid"] == chain.sp["id"]


def test_password_grant_gives_refresh_id_token_and_client_info(chain):
    # MSAL's ROPC asks /common/userrealm on port 443 (WIRE.md §2.3); the azure-cli test covers it
    # with --listen-443. Here: the same form MSAL posts, and what MSAL needs back.
    cu = chain.customer
    form = {"client_id": "04b07795-8ddb-461a-bbee-02f9e1bf7b46", "grant_type": "password", "client_info": "1",
            "username": cu["adminUser"]["username"], "password": cu["adminUser"]["password"],
            "scope": "https://management.core.windows.net//.default offline_access openid profile"}
    r = post_token(chain, cu["tenantId"], form)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["refresh_token"] and body["scope"]
    id_claims = pyjwt.decode(body["id_token"], options={"verify_signature": False})
    assert id_claims["oid"] == cu["adminUser"]["objectId"] and id_claims["tid"] == cu["tenantId"]
    assert id_claims["aud"] == form["client_id"] and id_claims["preferred_username"] == cu["adminUser"]["username"]
    info = json.loads(base64.urlsafe_b64decode(body["client_info"] + "=="))
    assert info == {"uid": cu["adminUser"]["objectId"], "utid": cu["tenantId"]}
    access = pyjwt.decode(body["access_token"], jwks_key(chain, body["access_token"]), algorithms=["RS256"],
                          audience="https://management.core.windows.net/")
    assert access["upn"] == cu["adminUser"]["username"] and access["idtyp"] == "user"
    again = post_token(chain, cu["tenantId"], {"client_id": form["client_id"], "grant_type": "refresh_token",
                                                "refresh_token": body["refresh_token"],
                                                "scope": "https://graph.microsoft.com/.default offline_access"})
    assert again.status_code == 200
    assert pyjwt.decode(again.json()["access_token"], options={"verify_signature": False})["aud"] == "https://graph.microsoft.com"
    bad = post_token(chain, cu["tenantId"], {"client_id": form["client_id"], "grant_type": "refresh_token",
                                              "refresh_token": "nope", "scope": "https://graph.microsoft.com/.default"})
    assert bad.json()["error_codes"] == [9002313]
    # A refresh token is bound to its client: another client gets 700007.
    stolen = post_token(chain, cu["tenantId"], {"client_id": str(uuid.uuid4()), "grant_type": "refresh_token",
                                                 "refresh_token": body["refresh_token"],
                                                 "scope": "https://graph.microsoft.com/.default"})
    assert stolen.status_code == 400 and stolen.json()["error_codes"] == [700007], stolen.text


def test_disabled_user_is_50057(chain):
    c = chain.cloud
    upn = f"user-{uuid.uuid4().hex[:6]}@customer.test"
    r = c.graph("POST", "customer", "/v1.0/users", {"userPrincipalName": upn, "displayName": upn, "accountEnabled": True,
                                                     "passwordProfile": {"password": "P@ssw0rd-1"}})
    assert r.status_code == 201, r.text
    form = {"client_id": str(uuid.uuid4()), "grant_type": "password", "username": upn, "password": "P@ssw0rd-1",
            "scope": "https://management.azure.com/.default offline_access"}
    ok = post_token(chain, chain.customer["tenantId"], form)
    assert ok.status_code == 200, ok.text
    r = c.graph("PATCH", "customer", f"/v1.0/users/{r.json()['id']}", {"accountEnabled": False})
    assert r.status_code == 204, r.text
    for attempt in (form, {"client_id": form["client_id"], "grant_type": "refresh_token",
                           "refresh_token": ok.json()["refresh_token"], "scope": form["scope"]}):
        refused = post_token(chain, chain.customer["tenantId"], attempt)
        assert refused.status_code == 400 and refused.json()["error_codes"] == [50057], refused.text
        assert "AADSTS50057: The user account is disabled." in refused.json()["error_description"]
    wrong = post_token(chain, chain.customer["tenantId"], dict(form, password="nope"))
    assert wrong.json()["error_codes"] == [50126]


def test_openid_configuration_and_instance_discovery(chain):
    tid = chain.customer["tenantId"]
    doc = chain.cloud.http.get(f"{chain.cloud.login}/{tid}/v2.0/.well-known/openid-configuration", timeout=30).json()
    assert doc["issuer"] == f"https://login.microsoftonline.com/{tid}/v2.0"
    assert doc["token_endpoint"] == f"{chain.cloud.login}/{tid}/oauth2/v2.0/token"
    assert doc["jwks_uri"].startswith(chain.cloud.login)
    v1 = chain.cloud.http.get(f"{chain.cloud.login}/{tid}/.well-known/openid-configuration", timeout=30).json()
    assert v1["issuer"] == f"https://sts.windows.net/{tid}/"
    host = chain.cloud.login.split("//")[1]
    disc = chain.cloud.http.get(f"{chain.cloud.login}/common/discovery/instance", timeout=30, params={
        "api-version": "1.1", "authorization_endpoint": f"https://{host.split(':')[0]}/{tid}/oauth2/v2.0/authorize"}).json()
    assert disc["tenant_discovery_endpoint"] == f"https://{host}/{tid}/v2.0/.well-known/openid-configuration"
    realm = chain.cloud.http.get(f"{chain.cloud.login}/common/userrealm/admin@customer.test?api-version=1.0", timeout=30).json()
    assert realm["account_type"] == "Managed"
    r = chain.cloud.http.get(f"{chain.cloud.login}/{uuid.uuid4()}/v2.0/.well-known/openid-configuration", timeout=30)
    assert r.status_code == 400 and r.json()["error_codes"] == [90002]


def aadsts(r):
    body = r.json()
    return r.status_code, body["error"], body["error_codes"][0], body["error_description"]


def test_each_token_failure_has_its_aadsts_code(chain):
    cu, p = chain.customer, chain.provider
    app_id, ct = chain.app["appId"], cu["tenantId"]
    jwt_bearer = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"
    good = mi_assertion(chain)
    base = {"grant_type": "client_credentials", "scope": VAULT_SCOPE, "client_id": app_id,
            "client_assertion_type": jwt_bearer, "client_assertion": good}
    assert post_token(chain, ct, base).status_code == 200

    cases = [
        (str(uuid.uuid4()), base, 90002, "invalid_request"),
        (ct, {**base, "client_id": str(uuid.uuid4())}, 700016, "unauthorized_client"),
        (ct, {k: v for k, v in base.items() if k != "client_id"}, 900144, "invalid_request"),
        (ct, {**base, "scope": "https://unknown.example/.default"}, 500011, "invalid_resource"),
        (ct, {**base, "grant_type": "device_code"}, 70003, "unsupported_grant_type"),
        (ct, {**base, "client_assertion": "not.a.jwt"}, 50027, "invalid_request"),
        (ct, {k: v for k, v in base.items() if k not in ("client_assertion",)}, 7000218, "invalid_client"),
        (ct, {"grant_type": "client_credentials", "scope": VAULT_SCOPE, "client_id": cu["adminApp"]["appId"],
              "client_secret": "wrong"}, 7000215, "invalid_client"),
        (ct, {"grant_type": "password", "scope": VAULT_SCOPE, "client_id": "04b07795-8ddb-461a-bbee-02f9e1bf7b46",
              "username": "nobody@customer.test", "password": "x"}, 50034, "invalid_grant"),
        (ct, {"grant_type": "password", "scope": VAULT_SCOPE, "client_id": "04b07795-8ddb-461a-bbee-02f9e1bf7b46",
              "username": cu["adminUser"]["username"], "password": "wrong"}, 50126, "invalid_grant"),
    ]
    for tenant, form, code, error in cases:
        status, err, got, desc = aadsts(post_token(chain, tenant, form))
        assert (got, err) == (code, error), (code, desc)
        assert desc.startswith(f"AADSTS{code}:") and "Trace ID:" in desc
        assert 400 <= status < 500


def test_federated_mismatches_700211_700213_700212_and_700024(chain):
    c = chain.cloud
    ct, app = chain.customer["tenantId"], chain.app
    jwt_bearer = "urn:ietf:params:oauth:client-assertion-type:jwt-bearer"

    def exchange(assertion):
        return aadsts(post_token(chain, ct, {"grant_type": "client_credentials", "scope": VAULT_SCOPE,
                                             "client_id": app["appId"], "client_assertion_type": jwt_bearer,
                                             "client_assertion": assertion}))
    fic_path = f"/v1.0/applications/{app['id']}/federatedIdentityCredentials/{chain.fic['id']}"
    # Subject mismatch: another UAMI's token.
    other = c.arm("PUT", "provider", chain.uami_id + "x", {"location": "westus"}).json()["properties"]
    other_token = ManagedIdentityCredential(client_id=other["clientId"]).get_token(EXCHANGE_SCOPE).token
    assert exchange(other_token)[2] == 700213
    # Audience mismatch: the FIC now expects another audience.
    assert c.graph("PATCH", "provider", fic_path, {"audiences": ["api://other"]}).status_code == 204
    assert exchange(mi_assertion(chain))[2] == 700212
    # Issuer mismatch.
    assert c.graph("PATCH", "provider", fic_path, {"audiences": ["api://AzureADTokenExchange"],
                                                   "issuer": "https://token.actions.githubusercontent.com"}).status_code == 204
    status, err, code, desc = exchange(mi_assertion(chain))
    assert code == 700211 and err == "invalid_client"
    assert c.graph("PATCH", "provider", fic_path, {"issuer": chain.fic["issuer"]}).status_code == 204
    # Expired assertion: advance the clock past the MI token's lifetime and skew.
    token = mi_assertion(chain)
    c.advance_clock(3599 + 301)
    try:
        assert exchange(token)[2] == 700024
    finally:
        c.advance_clock(-(3599 + 301))
    # Forged signature: same claims, signed by a key the issuer never published.
    from cryptography.hazmat.primitives.asymmetric import rsa
    claims = pyjwt.decode(token, options={"verify_signature": False})
    forged = pyjwt.encode(claims, rsa.generate_private_key(public_exponent=65537, key_size=2048), algorithm="RS256",
                          headers={"kid": pyjwt.get_unverified_header(token)["kid"]})
    assert exchange(forged)[2] == 700027
    # alg none and HS256 are never trusted.
    none_token = pyjwt.encode(claims, None, algorithm="none")
    assert exchange(none_token)[2] in (700027, 50027)
    hs = pyjwt.encode(claims, "secret", algorithm="HS256")
    assert exchange(hs)[2] == 700027


def test_client_assertion_credential_surfaces_aadsts_for_app_without_sp(chain, emulator):
    c = chain.cloud
    r = c.graph("POST", "provider", "/v1.0/applications", {"displayName": "lonely", "signInAudience": "AzureADMultipleOrgs"})
    lonely = r.json()
    cred = ClientAssertionCredential(chain.customer["tenantId"], lonely["appId"], lambda: mi_assertion(chain))
    with pytest.raises(ClientAuthenticationError) as e:
        cred.get_token(VAULT_SCOPE)
    assert "AADSTS700016" in str(e.value)


def test_managed_identity_endpoint_checks_headers_and_identity(chain, emulator):
    ep = emulator.endpoints
    r = requests.get(ep["mi"], params={"api-version": "2019-08-01", "resource": "api://AzureADTokenExchange",
                                       "client_id": chain.uami["clientId"]}, timeout=30)
    assert r.status_code == 401
    r = requests.get(ep["mi"], params={"api-version": "2019-08-01", "resource": "api://AzureADTokenExchange",
                                       "client_id": str(uuid.uuid4())}, headers={"X-IDENTITY-HEADER": ep["miHeader"]},
                     timeout=30)
    assert r.status_code == 400 and r.json()["error"] == "invalid_request"
    imds = f"{ep['imds']}/metadata/identity/oauth2/token/"
    q = {"api-version": "2018-02-01", "resource": "https://vault.azure.net", "msi_res_id": chain.uami_id}
    assert requests.get(imds, params=q, timeout=30).status_code == 400
    r = requests.get(imds, params=q, headers={"Metadata": "true"}, timeout=30)
    body = r.json()
    assert r.status_code == 200 and body["resource"] == "https://vault.azure.net" and int(body["expires_on"]) > time.time()
    assert body["client_id"] == chain.uami["clientId"]


def test_v1_token_endpoint_with_resource(chain):
    cu = chain.customer
    r = post_token(chain, cu["tenantId"], {"grant_type": "client_credentials", "client_id": cu["adminApp"]["appId"],
                                           "client_secret": cu["adminApp"]["clientSecret"],
                                           "resource": "https://vault.azure.net"}, v1=True)
    assert r.status_code == 200
    body = r.json()
    assert body["resource"] == "https://vault.azure.net" and body["expires_on"].isdigit()


def self_signed_certificate():
    import datetime
    from cryptography import x509
    from cryptography.hazmat.primitives import hashes, serialization
    from cryptography.hazmat.primitives.asymmetric import rsa
    from cryptography.x509.oid import NameOID
    key = rsa.generate_private_key(public_exponent=65537, key_size=2048)
    name = x509.Name([x509.NameAttribute(NameOID.COMMON_NAME, "crosskey-test-app")])
    now = datetime.datetime.now(datetime.timezone.utc)
    cert = (x509.CertificateBuilder().subject_name(name).issuer_name(name).public_key(key.public_key())
            .serial_number(x509.random_serial_number()).not_valid_before(now - datetime.timedelta(days=1))
            .not_valid_after(now + datetime.timedelta(days=30)).sign(key, hashes.SHA256()))
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    return cert.public_bytes(serialization.Encoding.DER), pem + cert.public_bytes(serialization.Encoding.PEM)


def test_certificate_credential_with_key_credentials_added_through_graph(chain):
    from azure.identity import CertificateCredential
    c = chain.cloud
    der, pem = self_signed_certificate()
    app = c.graph("POST", "customer", "/v1.0/applications", {"displayName": "cert-app"}).json()
    assert c.graph("POST", "customer", "/v1.0/servicePrincipals", {"appId": app["appId"]}).status_code == 201
    r = c.graph("PATCH", "customer", f"/v1.0/applications/{app['id']}", {"keyCredentials": [{
        "type": "AsymmetricX509Cert", "usage": "Verify", "key": base64.b64encode(der).decode(), "displayName": "ci"}]})
    assert r.status_code == 204, r.text
    keys = c.graph("GET", "customer", f"/v1.0/applications/{app['id']}").json()["keyCredentials"]
    assert [k["displayName"] for k in keys] == ["ci"]
    cred = CertificateCredential(chain.customer["tenantId"], app["appId"], certificate_data=pem,
                                 authority=c.login, instance_discovery=False)
    token = cred.get_token(VAULT_SCOPE).token
    claims = pyjwt.decode(token, options={"verify_signature": False})
    assert claims["appid"] == app["appId"] and claims["appidacr"] == "2"  # a certificate credential
    # another certificate, unknown to the app, is refused
    _, other_pem = self_signed_certificate()
    with pytest.raises(ClientAuthenticationError) as e:
        CertificateCredential(chain.customer["tenantId"], app["appId"], certificate_data=other_pem,
                              authority=c.login, instance_discovery=False).get_token(VAULT_SCOPE)
    assert "AADSTS700027" in str(e.value)
    r = c.graph("PATCH", "customer", f"/v1.0/applications/{app['id']}", {"keyCredentials": [{"key": "bm90IGEgY2VydA=="}]})
    assert r.status_code == 400
    assert len(c.graph("GET", "customer", f"/v1.0/applications/{app['id']}").json()["keyCredentials"]) == 1
