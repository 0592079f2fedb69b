"""Bad input on every plane: properties of every wrong JSON type, on every write endpoint, get
a 4xx with the plane's error body — never a 5xx — and nothing stored changes."""
import pytest

from flow import setup_chain, use_workload_environment

WEIRD = [None, 1, 1.5, True, "x", [], [1, "a"], {"a": 1}, {"": None}, {"x": None}, {"x": 1}]


@pytest.fixture(scope="module")
def chain(emulator):
    mp = pytest.MonkeyPatch()
    use_workload_environment(mp, emulator)
    yield setup_chain(emulator)
    mp.undo()


def targets(chain):
    app, sp, cust = chain.app["id"], chain.sp["id"], chain.customer["subscriptionId"]
    return {
        ("graph", "provider", "POST", "/v1.0/applications"): ["displayName", "signInAudience"],
        ("graph", "provider", "POST", f"/v1.0/applications/{app}/federatedIdentityCredentials"):
            ["name", "issuer", "subject", "audiences", "description"],
        ("graph", "provider", "PATCH", f"/v1.0/applications/{app}"): ["displayName", "signInAudience", "keyCredentials"],
        ("graph", "provider", "POST", f"/v1.0/applications/{app}/addPassword"): ["passwordCredential"],
        ("graph", "customer", "POST", "/v1.0/servicePrincipals"): ["appId"],
        ("graph", "customer", "PATCH", f"/v1.0/servicePrincipals/{sp}"): ["accountEnabled"],
        ("graph", "customer", "POST", "/v1.0/users"): ["userPrincipalName", "passwordProfile", "accountEnabled"],
        ("graph", "customer", "PATCH", "/v1.0/policies/authorizationPolicy"): ["defaultUserRolePermissions"],
        ("arm", "customer", "PUT", f"/subscriptions/{cust}/resourcegroups/fuzz"): ["location", "tags"],
        ("arm", "customer", "PUT", chain.vault_id): ["location", "properties", "tags"],
        ("arm", "customer", "PATCH", chain.vault_id): ["properties", "tags"],
        ("arm", "provider", "PUT", chain.uami_id): ["location", "tags"],
        ("arm", "customer", "PUT", f"{chain.vault_id}/providers/Microsoft.Authorization/roleAssignments/"
                                   "3f2504e0-4f89-11d3-9a0c-0305e82c3301"): ["properties"],
        ("kv", "customer", "POST", "/keys/fuzz/create"): ["kty", "key_size", "key_ops", "attributes", "tags", "crv",
                                                          "public_exponent"],
        ("kv", "customer", "PATCH", "/keys/k1"): ["attributes", "key_ops", "tags"],
        ("kv", "customer", "PUT", "/keys/imported"): ["key", "attributes", "tags"],
        ("kv", "customer", "POST", "/keys/k1/wrapkey"): ["alg", "value"],
        ("kv", "customer", "POST", "/keys/k1/encrypt"): ["alg", "value", "iv", "aad", "tag"],
        ("kv", "customer", "POST", "/keys/k1/verify"): ["alg", "value", "digest"],
        ("kv", "customer", "PUT", "/keys/k1/rotationpolicy"): ["lifetimeActions", "attributes"],
        ("kv", "customer", "POST", "/keys/restore"): ["value"],
        ("kv", "customer", "POST", "/rng"): ["count"],
    }


def test_wrongly_typed_properties_get_4xx_with_the_planes_error_body(chain):
    c = chain.cloud
    vault_token = c.token("customer", "https://vault.azure.net/.default")
    r = c.http.post(f"{chain.vault_uri}/keys/k1/create?api-version=7.4", json={"kty": "RSA"},
                    headers={"Authorization": "Bearer " + vault_token}, timeout=30)
    assert r.status_code == 200
    before = c.arm("GET", "customer", chain.vault_id).json()
    failures = []
    for (plane, tenant, method, path), fields in targets(chain).items():
        for field in fields:
            for value in WEIRD:
                body = {field: value}
                if plane == "graph":
                    r = c.graph(method, tenant, path, body)
                elif plane == "arm":
                    r = c.arm(method, tenant, path, body)
                else:
                    r = c.http.request(method, f"{chain.vault_uri}{path}?api-version=7.4", json=body, timeout=30,
                                       headers={"Authorization": "Bearer " + vault_token})
                if r.status_code >= 500 or (r.status_code >= 400 and "error" not in r.json()):
                    failures.append((plane, method, path, field, value, r.status_code, r.text[:120]))
    assert not failures, failures[:10]
    after = c.arm("GET", "customer", chain.vault_id).json()
    assert after["properties"]["enablePurgeProtection"] == before["properties"]["enablePurgeProtection"]
    assert after["properties"]["tenantId"] == before["properties"]["tenantId"]


def nested(depth: int) -> str:
    return "[" * depth + "]" * depth


def test_deeply_nested_json_gets_400_in_the_planes_shape_and_the_process_lives(chain, emulator):
    """A ~200 KB body of 100,000 nested '[' in a free-form field used to overflow the worker's
    stack (SIGSEGV). Every JSON entry point refuses more than 64 levels with a 400."""
    c = chain.cloud
    vault_token = c.token("customer", "https://vault.azure.net/.default")
    arm_token = c.token("customer", "https://management.azure.com/.default")
    graph_token = c.token("provider", "https://graph.microsoft.com/.default")
    deep = nested(100_000)
    cases = [
        ("POST", emulator.url("/_emulator/faults"), '{"status":503,"body":' + deep + "}", None, "BadRequest"),
        ("POST", f"{chain.vault_uri}/keys/deep/create?api-version=7.4", '{"kty":"RSA","tags":' + deep + "}",
         vault_token, "BadParameter"),
        ("PUT", f"{c.arm_url}{chain.vault_id}?api-version=2023-07-01",
         '{"location":"westeurope","properties":' + deep + "}", arm_token, "InvalidRequestContent"),
        ("POST", f"{c.graph_url}/v1.0/applications", '{"displayName":' + deep + "}", graph_token, "Request_BadRequest"),
    ]
    for method, url, body, token, code in cases:
        headers = {"Content-Type": "application/json"}
        if token:
            headers["Authorization"] = "Bearer " + token
        r = c.http.request(method, url, data=body, headers=headers, timeout=30)
        assert r.status_code == 400, (url, r.status_code, r.text[:200])
        assert r.json()["error"]["code"] == code, (url, r.text[:200])
        assert "nests deeper than 64" in r.json()["error"]["message"], r.text[:200]
    # 64 levels are still fine where the field is free-form (a fault rule's body).
    r = c.http.post(emulator.url("/_emulator/faults"), data='{"status":503,"plane":"graph","body":' + nested(63) + "}",
                    timeout=30)
    assert r.status_code == 201, r.text[:200]
    c.http.delete(emulator.url("/_emulator/faults"), timeout=30)
    assert c.http.get(emulator.url("/_emulator/health"), timeout=30).status_code == 200
