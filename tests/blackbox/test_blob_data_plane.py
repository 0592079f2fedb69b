"""The Blob data plane of emulated storage accounts ({account}.blob.{domain}) through the real
azure-storage-blob client (Debian python3-azure-storage 12.15.0b1): a provider storage account
encrypted with the customer's key (flow.setup_chain + ARM REST), Storage Blob Data roles assigned
over ARM, bearer tokens from azure-identity, and the key revoked and restored on the emulator
clock. Hand-written requests cover the edges the SDK never sends (no bearer, no x-ms-version,
bad ranges, unserved operations).
"""
import os
import re
import uuid

import pytest
import requests
from azure.core.credentials import AccessToken
from azure.core.exceptions import ClientAuthenticationError, HttpResponseError, ResourceNotFoundError
from azure.storage.blob import BlobServiceClient, ContentSettings

from flow import setup_keyed_chain
from test_consumers import storage_body

INTERVAL = 600
CONTRIBUTOR = "Storage Blob Data Contributor"
STORAGE_SCOPE = "https://storage.azure.com/.default"
VERSION = "2021-12-02"


@pytest.fixture(scope="module", autouse=True)
def short_intervals(emulator):
    r = requests.post(emulator.url("/_emulator/consumers/settings"), json={"storage": {"checkIntervalSeconds": INTERVAL}},
                      verify=str(emulator.ca_path), timeout=30)
    assert r.status_code == 200, r.text


@pytest.fixture
def chain(emulator, monkeypatch):
    return setup_keyed_chain(emulator, monkeypatch, "bl")


class FixedToken:
    """A credential that always presents one token (to send a wrong one through the SDK)."""

    def __init__(self, token):
        self.token = token

    def get_token(self, *scopes, **kwargs):
        return AccessToken(self.token, 2**31 - 1)


def create_account(chain, cmk=True):
    name = f"st{uuid.uuid4().hex[:10]}"
    sid = f"{chain.group}/providers/Microsoft.Storage/storageAccounts/{name}"
    body = storage_body(chain)
    if not cmk:
        body["properties"]["encryption"] = {"keySource": "Microsoft.Storage"}
    r = chain.cloud.arm_done("PUT", "provider", sid, body, api="2023-01-01")
    assert r.status_code in (200, 201), r.text
    return sid, name, r.json()


def grant(chain, sid, role=CONTRIBUTOR):
    principal = chain.provider["adminApp"]["servicePrincipalObjectId"]
    r = chain.cloud.assign("provider", sid, role, principal)
    assert r.status_code == 201, r.text


def service(chain, endpoint, credential=None):
    return BlobServiceClient(endpoint, credential=credential or chain.cloud.admin_credential("provider"),
                             connection_verify=str(chain.cloud.emu.ca_path))


def blob_url(emu, name, path="/"):
    return f"https://{name}.blob.crosskey.test:{emu.port}{path}"


def raw(chain, method, name, path, token=None, version=VERSION, **kw):
    headers = kw.pop("headers", {})
    if token:
        headers["Authorization"] = "Bearer " + token
    if version:
        headers["x-ms-version"] = version
    return requests.request(method, blob_url(chain.cloud.emu, name, path), headers=headers,
                            verify=str(chain.cloud.emu.ca_path), timeout=30, **kw)


def xml_code(r):
    m = re.search(r"<Code>([^<]*)</Code>", r.text)
    return m.group(1) if m else None


def test_account_endpoint_and_full_roundtrip_with_the_sdk(chain):
    sid, name, body = create_account(chain)
    endpoint = body["properties"]["primaryEndpoints"]["blob"]
    assert endpoint == blob_url(chain.cloud.emu, name)
    grant(chain, sid)
    svc = service(chain, endpoint)
    container = svc.create_container("docs", metadata={"team": "a"})
    props = container.get_container_properties()
    assert props.name == "docs" and props.metadata == {"team": "a"} and props.etag

    payload = os.urandom(900 * 1024)  # near the server's 1 MiB body cap, one Put Blob
    up = container.get_blob_client("dir/big.bin").upload_blob(
        payload, content_settings=ContentSettings(content_type="application/x-test"), metadata={"k": "v"})
    assert up["etag"] and up["request_server_encrypted"] is True
    assert container.download_blob("dir/big.bin").readall() == payload
    assert container.download_blob("dir/big.bin", offset=1000, length=5000).readall() == payload[1000:6000]
    container.upload_blob("small.txt", b"hello")
    container.upload_blob("empty", b"")
    assert container.download_blob("empty").readall() == b""

    bp = container.get_blob_client("dir/big.bin").get_blob_properties()
    assert bp.size == len(payload) and bp.blob_type == "BlockBlob" and bp.etag == up["etag"]
    assert bp.content_settings.content_type == "application/x-test" and bp.metadata == {"k": "v"}
    assert bp.server_encrypted is True

    listed = {b.name: b for b in container.list_blobs()}
    assert set(listed) == {"dir/big.bin", "small.txt", "empty"}
    assert listed["small.txt"].size == 5
    assert [b.name for b in container.list_blobs(name_starts_with="dir/")] == ["dir/big.bin"]
    assert sorted(b.name for b in container.walk_blobs()) == ["dir/", "empty", "small.txt"]

    with pytest.raises(Exception) as exists:
        container.upload_blob("small.txt", b"again")  # overwrite=False: If-None-Match: *
    assert getattr(exists.value, "error_code", None) == "BlobAlreadyExists"
    container.upload_blob("small.txt", b"again", overwrite=True)
    assert container.download_blob("small.txt").readall() == b"again"

    container.delete_blob("small.txt")
    with pytest.raises(ResourceNotFoundError) as gone:
        container.download_blob("small.txt").readall()
    assert gone.value.error_code == "BlobNotFound"
    svc.delete_container("docs")
    with pytest.raises(ResourceNotFoundError) as gone:
        container.get_container_properties()
    assert gone.value.error_code == "ContainerNotFound"


def test_unknown_container_and_blob_and_duplicate_container(chain):
    sid, name, body = create_account(chain)
    grant(chain, sid)
    svc = service(chain, body["properties"]["primaryEndpoints"]["blob"])
    with pytest.raises(ResourceNotFoundError) as e:
        svc.get_container_client("nothere").get_container_properties()
    assert e.value.error_code == "ContainerNotFound" and e.value.status_code == 404
    with pytest.raises(ResourceNotFoundError) as e:
        svc.get_blob_client("nothere", "x").upload_blob(b"1")
    assert e.value.error_code == "ContainerNotFound"
    svc.create_container("cont1")
    with pytest.raises(ResourceNotFoundError) as e:
        svc.get_blob_client("cont1", "missing").download_blob()
    assert e.value.error_code == "BlobNotFound"
    with pytest.raises(HttpResponseError) as e:
        svc.create_container("cont1")
    assert e.value.error_code == "ContainerAlreadyExists" and e.value.status_code == 409


def test_no_data_role_is_refused_with_permission_mismatch(chain):
    sid, name, body = create_account(chain)
    # The provider admin app is Owner of the subscription: actions "*" cover the containers/*
    # actions, but Owner has no dataActions, so blob reads and writes are refused.
    svc = service(chain, body["properties"]["primaryEndpoints"]["blob"])
    container = svc.create_container("cont1")
    with pytest.raises(HttpResponseError) as e:
        container.upload_blob("b", b"data")
    assert e.value.status_code == 403 and e.value.error_code == "AuthorizationPermissionMismatch"
    assert "This request is not authorized to perform this operation using this permission." in str(e.value)
    with pytest.raises(HttpResponseError) as e:
        list(container.list_blobs())
    assert e.value.error_code == "AuthorizationPermissionMismatch"
    # The workload's managed identity has no role at all: even the container is refused.
    from azure.identity import ManagedIdentityCredential
    mi = ManagedIdentityCredential(client_id=chain.uami["clientId"])
    with pytest.raises(HttpResponseError) as e:
        service(chain, body["properties"]["primaryEndpoints"]["blob"], mi).get_container_client("cont1").get_container_properties()
    assert e.value.status_code == 403 and e.value.error_code == "AuthorizationPermissionMismatch"


def test_wrong_tenant_and_wrong_audience_tokens_are_401(chain):
    sid, name, body = create_account(chain)
    grant(chain, sid)
    endpoint = body["properties"]["primaryEndpoints"]["blob"]
    customer_token = chain.cloud.token("customer", STORAGE_SCOPE)
    vault_token = chain.cloud.token("provider", "https://vault.azure.net/.default")
    for token, detail in ((customer_token, "Issuer validation failed"), (vault_token, "Audience validation failed")):
        with pytest.raises(ClientAuthenticationError) as e:
            service(chain, endpoint, FixedToken(token)).get_container_client("cont1").get_container_properties()
        assert e.value.status_code == 401 and e.value.error_code == "InvalidAuthenticationInfo"
        assert detail in e.value.response.text()
        challenge = e.value.response.headers["WWW-Authenticate"]
        assert challenge == (f"Bearer authorization_uri={chain.cloud.login}/{chain.provider['tenantId']}/oauth2/authorize "
                             "resource_id=https://storage.azure.com")


def test_revoked_customer_key_makes_blobs_unreadable_and_recovers(chain):
    sid, name, body = create_account(chain)
    grant(chain, sid)
    svc = service(chain, body["properties"]["primaryEndpoints"]["blob"])
    container = svc.create_container("data")
    container.upload_blob("doc", b"secret")
    container.upload_blob("old", b"to be deleted")
    chain.customer_key_client().update_key_properties(chain.key.name, enabled=False)
    assert container.download_blob("doc").readall() == b"secret"  # not checked yet
    chain.cloud.advance_clock(INTERVAL + 1)
    with pytest.raises(HttpResponseError) as e:
        container.download_blob("doc").readall()
    assert e.value.status_code == 403 and e.value.error_code == "KeyVaultEncryptionKeyNotFound"
    assert "KeyDisabled" in str(e.value)
    with pytest.raises(HttpResponseError) as e:
        container.upload_blob("doc2", b"x")
    assert e.value.error_code == "KeyVaultEncryptionKeyNotFound"
    with pytest.raises(HttpResponseError) as e:
        container.get_blob_client("doc").get_blob_properties()
    assert e.value.status_code == 403
    with pytest.raises(HttpResponseError) as e:
        list(container.list_blobs(include=["metadata"]))
    assert e.value.error_code == "KeyVaultEncryptionKeyNotFound"
    # Azure: every operation it does not list as needing the key proceeds ("Revoke access"):
    # a "delete the data while the key is revoked" runbook works.
    container.delete_blob("old")
    assert [b.name for b in container.list_blobs()] == ["doc"]
    scratch = svc.create_container("scratch")
    assert scratch.get_container_properties().name == "scratch"
    svc.delete_container("scratch")
    with pytest.raises(HttpResponseError) as gone:
        scratch.get_container_properties()
    assert gone.value.status_code == 404
    chain.customer_key_client().update_key_properties(chain.key.name, enabled=True)
    chain.cloud.advance_clock(INTERVAL + 1)
    assert container.download_blob("doc").readall() == b"secret"


def test_microsoft_storage_keyed_account_ignores_the_customer_key(chain):
    sid, name, body = create_account(chain, cmk=False)
    grant(chain, sid)
    container = service(chain, body["properties"]["primaryEndpoints"]["blob"]).create_container("plain")
    container.upload_blob("doc", b"platform")
    chain.customer_key_client().update_key_properties(chain.key.name, enabled=False)
    chain.cloud.advance_clock(INTERVAL + 1)
    assert container.download_blob("doc").readall() == b"platform"


def test_blobs_survive_a_snapshot_restore(chain):
    sid, name, body = create_account(chain)
    grant(chain, sid)
    container = service(chain, body["properties"]["primaryEndpoints"]["blob"]).create_container("kept")
    container.upload_blob("doc", b"plaintext-marker")
    snap = chain.cloud.control("POST", "/_emulator/snapshots", {"name": f"blob-{name}"})
    assert snap.status_code == 201, snap.text
    container.delete_blob("doc")
    r = chain.cloud.control("POST", f"/_emulator/snapshots/blob-{name}/restore")
    assert r.status_code == 200, r.text
    assert container.download_blob("doc").readall() == b"plaintext-marker"
    state = chain.cloud.control("GET", "/_emulator/state").text
    assert '"kept"' in state and "plaintext-marker" not in state  # contents only as ciphertext


def test_hand_written_requests_get_storage_errors(chain):
    sid, name, body = create_account(chain)
    grant(chain, sid)
    token = chain.cloud.token("provider", STORAGE_SCOPE)
    r = raw(chain, "PUT", name, "/edge?restype=container", token)
    assert r.status_code == 201, r.text
    r = raw(chain, "PUT", name, "/edge/b", token, data=b"0123456789", headers={"x-ms-blob-type": "BlockBlob"})
    assert r.status_code == 201, r.text

    # No bearer: 401 with the challenge the SDK's policy follows.
    r = raw(chain, "GET", name, "/edge/b")
    assert r.status_code == 401 and xml_code(r) == "NoAuthenticationInformation"
    assert r.headers["x-ms-error-code"] == "NoAuthenticationInformation" and r.headers["x-ms-request-id"]
    assert r.headers["WWW-Authenticate"].startswith(f"Bearer authorization_uri={chain.cloud.login}/")
    assert r.text.startswith('<?xml version="1.0" encoding="utf-8"?><Error><Code>')
    assert re.search(r"<Message>[^<]*\nRequestId:[0-9a-f-]+\nTime:\d{4}-\d\d-\d\dT[\d:.]+Z</Message>", r.text)
    # Bearer without x-ms-version (or too old for bearer tokens).
    for version in (None, "2017-07-29"):
        r = raw(chain, "GET", name, "/edge/b", token, version=version)
        assert r.status_code == 403 and xml_code(r) == "AuthenticationFailed", r.text
        assert "Authentication scheme Bearer is not supported in this version." in r.text
    r = raw(chain, "GET", name, "/edge/b", token, version="latest")
    assert r.status_code == 400 and xml_code(r) == "InvalidHeaderValue" and "<HeaderName>x-ms-version</HeaderName>" in r.text
    assert r.headers["x-ms-version"] == "latest"
    # SharedKey is not accepted.
    r = raw(chain, "GET", name, "/edge/b", version=VERSION, headers={"Authorization": "SharedKey acct:sig"})
    assert r.status_code == 403 and xml_code(r) == "KeyBasedAuthenticationNotPermitted"

    # Ranges: x-ms-range wins, 206 with Content-Range; past the end 416; malformed 400.
    r = raw(chain, "GET", name, "/edge/b", token, headers={"x-ms-range": "bytes=2-4", "Range": "bytes=0-0"})
    assert r.status_code == 206 and r.content == b"234" and r.headers["Content-Range"] == "bytes 2-4/10"
    assert r.headers["x-ms-version"] == VERSION
    r = raw(chain, "GET", name, "/edge/b", token, headers={"Range": "bytes=8-"})
    assert r.status_code == 206 and r.content == b"89"
    r = raw(chain, "GET", name, "/edge/b", token, headers={"x-ms-range": "bytes=10-20"})
    assert r.status_code == 416 and xml_code(r) == "InvalidRange" and r.headers["Content-Range"] == "bytes */10"
    r = raw(chain, "GET", name, "/edge/b", token, headers={"x-ms-range": "bytes=5-2"})
    assert r.status_code == 400 and xml_code(r) == "InvalidHeaderValue"
    r = raw(chain, "HEAD", name, "/edge/b", token)
    assert r.status_code == 200 and r.headers["Content-Length"] == "10" and r.headers["x-ms-blob-type"] == "BlockBlob"

    # Put Blob shape errors.
    r = raw(chain, "PUT", name, "/edge/c", token, data=b"x")
    assert r.status_code == 400 and xml_code(r) == "MissingRequiredHeader"
    r = raw(chain, "PUT", name, "/edge/c", token, data=b"x", headers={"x-ms-blob-type": "BlockBlob",
                                                                         "Content-MD5": "AAAAAAAAAAAAAAAAAAAAAA=="})
    assert r.status_code == 400 and xml_code(r) == "Md5Mismatch"
    r = raw(chain, "PUT", name, "/Bad_Name?restype=container", token)
    assert r.status_code == 400 and xml_code(r) == "InvalidResourceName"
    r = raw(chain, "PUT", name, "/pub?restype=container", token, headers={"x-ms-blob-public-access": "blob"})
    assert r.status_code == 409 and xml_code(r) == "PublicAccessNotPermitted"
    r = raw(chain, "PUT", name, "/edge/big", token, data=b"x" * (2 << 20), headers={"x-ms-blob-type": "BlockBlob"})
    assert r.status_code == 413 and xml_code(r) == "RequestBodyTooLarge", r.text

    # Operations crosskey does not serve: 501 in the same XML shape, never a 200.
    for method, path, extra in (("PUT", "/edge/b?comp=metadata", {}), ("GET", "/?comp=list", {}),
                                ("PUT", "/edge/p", {"x-ms-blob-type": "PageBlob"}), ("POST", "/edge/b", {})):
        r = raw(chain, method, name, path, token, headers=extra)
        assert r.status_code == 501 and xml_code(r) == "NotImplemented", (method, path, r.text)
        assert r.headers["x-ms-error-code"] == "NotImplemented"

    # An account that does not exist.
    r = raw(chain, "GET", "nosuchaccount", "/edge/b", token)
    assert r.status_code == 404 and xml_code(r) == "ResourceNotFound"


def test_hosts_and_audit_list_blob_operations(chain):
    sid, name, body = create_account(chain)
    grant(chain, sid)
    svc = service(chain, body["properties"]["primaryEndpoints"]["blob"])
    svc.create_container("aud").upload_blob("doc", b"1")
    hosts = chain.cloud.control("GET", "/_emulator/hosts").text
    assert f"127.0.0.1 {name}.blob.crosskey.test\n" in hosts
    lines = chain.cloud.emu.hosts_lines(accounts=[name])
    assert f"127.0.0.1 {name}.blob.crosskey.test" in lines
    r = chain.cloud.control("GET", "/_emulator/audit?category=StorageBlobLogs&operation=PutBlob")
    records = [x for x in r.json()["value"] if x["accountName"] == name]
    assert records and records[-1]["statusCode"] == 201 and records[-1]["statusText"] == "Success"
    assert records[-1]["objectId"] == chain.provider["adminApp"]["servicePrincipalObjectId"]
    assert records[-1]["authorizedBy"].lower().startswith(sid.lower())


def test_a_fault_on_the_blob_plane_answers_storage_xml_to_the_sdk(chain):
    """Fault rules reach the Blob plane and answer exactly as Storage errors do: the Storage SDK
    reads the XML error's code from x-ms-error-code and raises its own typed error."""
    from azure.core.exceptions import HttpResponseError

    sid, name, body = create_account(chain)
    grant(chain, sid)
    svc = service(chain, body["properties"]["primaryEndpoints"]["blob"])
    svc.create_container("faulted").upload_blob("doc", b"payload")
    r = chain.cloud.control("POST", "/_emulator/faults",
                            {"plane": "blob", "operation": "GetBlob", "status": 503, "times": 1})
    assert r.status_code == 201, r.text
    rule = r.json()["id"]
    blob = svc.get_blob_client("faulted", "doc")
    raw_answer = raw(chain, "GET", name, "/faulted/doc", chain.cloud.token("provider", "https://storage.azure.com/.default"))
    assert raw_answer.status_code == 503 and xml_code(raw_answer) == "ServiceUnavailable", raw_answer.text
    assert raw_answer.headers["x-ms-error-code"] == "ServiceUnavailable"
    assert f"injected fault {rule}" in raw_answer.text and raw_answer.headers["x-crosskey-fault"] == rule
    # The rule fired once (times=1): the SDK reads the blob again.
    assert blob.download_blob().readall() == b"payload"
    chain.cloud.control("POST", "/_emulator/faults", {"plane": "blob", "operation": "Container_Create", "status": 409})
    try:
        svc.create_container("another")
        raise AssertionError("the injected 409 did not reach the SDK")
    except HttpResponseError as e:
        assert e.status_code == 409 and e.error_code == "Conflict"
    chain.cloud.control("DELETE", "/_emulator/faults")
