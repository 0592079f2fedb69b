"""The floor under every other black-box test: the binary starts, serves TLS with the CA it
publishes, and seeds the two tenants the cross-tenant flow needs."""
import requests


def test_health_answers_200_over_tls_trusted_by_the_published_ca(emulator):
    r = requests.get(emulator.url("/_emulator/health"), verify=str(emulator.ca_path), timeout=10)
    assert r.status_code == 200, r.text


def test_ca_pem_is_a_pem_certificate(emulator):
    r = requests.get(emulator.url("/_emulator/ca.pem"), verify=str(emulator.ca_path), timeout=10)
    assert r.status_code == 200
    assert r.text.lstrip().startswith("-----BEGIN CERTIFICATE-----"), r.text[:200]


def test_bootstrap_has_provider_and_customer_tenants_with_distinct_ids(emulator):
    r = requests.get(emulator.url("/_emulator/bootstrap"), verify=str(emulator.ca_path), timeout=10)
    assert r.status_code == 200, r.text
    tenants = r.json()["tenants"]
    by_name = {t["name"]: t for t in tenants}
    assert {"provider", "customer"} <= set(by_name), [t.get("name") for t in tenants]
    assert by_name["provider"]["tenantId"] and by_name["customer"]["tenantId"]
    assert by_name["provider"]["tenantId"] != by_name["customer"]["tenantId"]
