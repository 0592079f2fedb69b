"""ARM template deployments through Debian's azure-mgmt-resource (ResourceManagementClient, API
2022-09-01): the managed-disks and Cosmos DB seed templates deploy through the SDK's
begin_create_or_update poller and each resource goes through the same checks as a direct PUT;
validate refuses a broken template with InvalidTemplate naming the offending expression; a
resource refused by its provider fails the deployment with DeploymentFailed and its operation
says why; the template language's loops, dependencies, variables and functions work.
"""
import json
import uuid
from pathlib import Path

import pytest
from azure.core.exceptions import HttpResponseError

from flow import setup_keyed_chain

ARM_SCOPE = "https://management.azure.com/.default"
TEMPLATES = Path(__file__).resolve().parents[2] / "examples" / "templates"


@pytest.fixture
def chain(emulator, monkeypatch):
    return setup_keyed_chain(emulator, monkeypatch, "dp")


def client(chain, cls):
    c = chain.cloud
    return cls(c.admin_credential("provider"), c.tenant("provider")["subscriptionId"], base_url=c.arm_url,
               credential_scopes=[ARM_SCOPE], connection_verify=str(c.emu.ca_path))


def resources_client(chain):
    from azure.mgmt.resource import ResourceManagementClient
    return client(chain, ResourceManagementClient)


def group(chain):
    return chain.group.split("/")[-1]


def unique(prefix):
    return prefix + uuid.uuid4().hex[:8]


def template(name):
    return json.loads((TEMPLATES / name).read_text())


def params(**values):
    return {k: {"value": v} for k, v in values.items()}


def des_parameters(chain, desname, federated_client_id=None):
    return params(desname=desname, region="westus", userassignedmicmk=chain.uami_id,
                  cmkfederatedclientId=federated_client_id or chain.app["appId"], keyVaultURL=chain.key.id)


def deploy(rm, chain, name, tpl, parameters):
    return rm.deployments.begin_create_or_update(
        group(chain), name, {"properties": {"mode": "Incremental", "template": tpl, "parameters": parameters}})


def test_disk_encryption_set_seed_template_deploys_through_the_poller(chain):
    from azure.mgmt.compute import ComputeManagementClient
    rm = resources_client(chain)
    desname, name = unique("des"), unique("dep")
    poller = deploy(rm, chain, name, template("cmk-disk-encryption-set.json"), des_parameters(chain, desname))
    deployment = poller.result()
    assert poller.status() == "Succeeded"
    assert deployment.properties.provisioning_state == "Succeeded"
    assert deployment.properties.mode == "Incremental"
    assert deployment.properties.parameters["desname"]["value"] == desname
    des_id = f"{chain.group}/providers/Microsoft.Compute/diskEncryptionSets/{desname}"
    assert [r.id.lower() for r in deployment.properties.output_resources] == [des_id.lower()]

    des = client(chain, ComputeManagementClient).disk_encryption_sets.get(group(chain), desname)
    assert des.federated_client_id == chain.app["appId"]
    assert des.active_key.key_url == chain.key.id
    assert des.provisioning_state == "Succeeded"

    ops = list(rm.deployment_operations.list(group(chain), name))
    assert len(ops) == 1 and ops[0].properties.provisioning_state == "Succeeded"
    assert ops[0].properties.target_resource.resource_type == "Microsoft.Compute/diskEncryptionSets"
    assert ops[0].properties.status_code in ("Created", "OK")
    assert rm.deployments.get(group(chain), name).properties.provisioning_state == "Succeeded"
    assert name in [d.name for d in rm.deployments.list_by_resource_group(group(chain))]
    assert rm.deployments.check_existence(group(chain), name)
    rm.deployments.begin_delete(group(chain), name).result()
    assert not rm.deployments.check_existence(group(chain), name)
    # Deleting the deployment keeps what it deployed.
    assert client(chain, ComputeManagementClient).disk_encryption_sets.get(group(chain), desname).id


def test_cosmos_seed_template_deploys_and_outputs_reference_the_account(chain):
    from azure.mgmt.cosmosdb import CosmosDBManagementClient
    rm = resources_client(chain)
    account = unique("cos")
    versionless = chain.key.id.rsplit("/", 1)[0]
    deployment = deploy(rm, chain, unique("dep"), template("cmk-cosmos-account.json"), params(
        accountName=account, userAssignedIdentity=chain.uami_id, multiTenantAppClientId=chain.app["appId"],
        keyVaultKeyUri=versionless)).result()
    outputs = deployment.properties.outputs
    assert outputs["keyVaultKeyUri"]["value"] == versionless
    assert outputs["accountId"]["value"].lower().endswith(f"/microsoft.documentdb/databaseaccounts/{account}")
    got = client(chain, CosmosDBManagementClient).database_accounts.get(group(chain), account)
    assert got.key_vault_key_uri == versionless
    assert got.default_identity == f"UserAssignedIdentity={chain.uami_id}&FederatedClientId={chain.app['appId']}"
    # location defaulted to resourceGroup().location
    assert got.location.replace(" ", "").lower() == "westus"


def test_broken_template_fails_validation_with_invalid_template_naming_the_expression(chain):
    rm = resources_client(chain)
    tpl = template("cmk-disk-encryption-set.json")
    tpl["resources"][0]["properties"]["federatedClientId"] = "[parameters('cmkFederatedClient')]"
    body = {"properties": {"mode": "Incremental", "template": tpl, "parameters": des_parameters(chain, unique("d"))}}
    with pytest.raises(HttpResponseError) as e:
        rm.deployments.begin_validate(group(chain), unique("dep"), body).result()
    assert e.value.status_code == 400
    assert e.value.error.code == "InvalidTemplate"
    assert "[parameters('cmkFederatedClient')]" in e.value.error.message
    assert "'cmkFederatedClient' is not found" in e.value.error.message
    # The PUT refuses it the same way, before writing anything.
    with pytest.raises(HttpResponseError) as put:
        rm.deployments.begin_create_or_update(group(chain), unique("dep"), body)
    assert put.value.error.code == "InvalidTemplate"
    # An unknown function and a missing parameter value.
    tpl["resources"][0]["properties"]["federatedClientId"] = "[noSuchFunction('x')]"
    with pytest.raises(HttpResponseError) as unknown:
        rm.deployments.begin_validate(group(chain), unique("dep"), body).result()
    assert "The template function 'nosuchfunction' is not found" in unknown.value.error.message
    missing = dict(body["properties"]["parameters"])
    del missing["keyVaultURL"]
    with pytest.raises(HttpResponseError) as absent:
        rm.deployments.begin_validate(group(chain), unique("dep"), {"properties": {
            "mode": "Incremental", "template": template("cmk-disk-encryption-set.json"), "parameters": {
                **missing, "keyVaultURL": {"value": 5}}}}).result()
    assert absent.value.error.code == "InvalidTemplate" and "Expected 'String'" in absent.value.error.message


def test_validate_answers_the_validated_resources(chain):
    rm = resources_client(chain)
    desname = unique("des")
    result = rm.deployments.begin_validate(group(chain), unique("dep"), {"properties": {
        "mode": "Incremental", "template": template("cmk-disk-encryption-set.json"),
        "parameters": des_parameters(chain, desname)}}).result()
    assert result.error is None
    assert [r.id.split("/")[-1] for r in result.properties.validated_resources] == [desname]


def test_resource_refused_by_its_provider_fails_the_deployment_with_details(chain):
    rm = resources_client(chain)
    name = unique("dep")
    poller = deploy(rm, chain, name, template("cmk-disk-encryption-set.json"),
                    des_parameters(chain, unique("des"), federated_client_id=str(uuid.uuid4())))
    with pytest.raises(HttpResponseError) as e:
        poller.result()
    assert e.value.error.code == "DeploymentFailed"
    assert "At least one resource deployment operation failed" in e.value.error.message
    # The detail is the disk encryption set provider's own refusal of the key.
    assert [d.code for d in e.value.error.details] == ["KeyVaultAccessForbidden"], e.value
    failed = rm.deployments.get(group(chain), name)
    assert failed.properties.provisioning_state == "Failed"
    assert failed.properties.error.code == "DeploymentFailed"
    ops = list(rm.deployment_operations.list(group(chain), name))
    assert ops[0].properties.provisioning_state == "Failed"
    assert ops[0].properties.status_message.error.code == e.value.error.details[0].code
    assert ops[0].properties.status_message.status == "Failed"


def test_template_language_loops_dependencies_variables_and_functions(chain):
    rm = resources_client(chain)
    prefix = unique("id")
    tpl = {
        "$schema": "https://schema.management.azure.com/schemas/2019-04-01/deploymentTemplate.json#",
        "contentVersion": "1.0.0.0",
        "parameters": {"count": {"type": "int", "defaultValue": 2, "minValue": 1},
                       "prefix": {"type": "string"},
                       "secret": {"type": "securestring", "defaultValue": "hidden"}},
        "variables": {"base": "[format('{0}-{1}', parameters('prefix'), 'uami')]",
                      "tagged": {"owner": "[variables('base')]"}},
        "resources": [
            {"type": "Microsoft.ManagedIdentity/userAssignedIdentities", "apiVersion": "2023-01-31",
             "name": "[concat(variables('base'), copyIndex(1))]", "location": "[resourceGroup().location]",
             "tags": "[variables('tagged')]", "copy": {"name": "uamis", "count": "[parameters('count')]"},
             "dependsOn": ["[resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', concat(variables('base'), 'x'))]"]},
            {"type": "Microsoft.ManagedIdentity/userAssignedIdentities", "apiVersion": "2023-01-31",
             "name": "[concat(variables('base'), 'x')]", "location": "westus"},
            {"type": "Microsoft.ManagedIdentity/userAssignedIdentities", "apiVersion": "2023-01-31",
             "name": "[concat(variables('base'), 'skipped')]", "location": "westus", "condition": "[equals(1, 2)]"},
        ],
        "outputs": {
            "first": {"type": "string", "value": "[reference(resourceId('Microsoft.ManagedIdentity/userAssignedIdentities', concat(variables('base'), '1'))).principalId]"},
            "unique": {"type": "string", "value": "[uniqueString(resourceGroup().id, parameters('prefix'))]"},
            "guid": {"type": "string", "value": "[guid(subscription().subscriptionId, 'x')]"},
            "upper": {"type": "string", "value": "[toUpper(substring(parameters('prefix'), 0, 2))]"},
            "count": {"type": "int", "value": "[length(createArray(1, 2, 3))]"},
            "escaped": {"type": "string", "value": "[[not an expression]"},
        },
    }
    d = deploy(rm, chain, unique("dep"), tpl, params(prefix=prefix)).result()
    outputs = d.properties.outputs
    assert len(outputs["unique"]["value"]) == 13 and outputs["unique"]["value"].isalnum()
    assert str(uuid.UUID(outputs["guid"]["value"])) == outputs["guid"]["value"]
    assert outputs["upper"]["value"] == prefix[:2].upper()
    assert outputs["count"]["value"] == 3
    assert outputs["escaped"]["value"] == "[not an expression]"
    assert "value" not in d.properties.parameters["secret"]  # secure values are never echoed
    names = sorted(r.id.split("/")[-1] for r in d.properties.output_resources)
    assert names == sorted([f"{prefix}-uami1", f"{prefix}-uami2", f"{prefix}-uamix"])
    # The looped identities depend on the 'x' one: it was written first.
    assert d.properties.output_resources[0].id.endswith(f"{prefix}-uamix")
    uami = chain.cloud.arm("GET", "provider", f"{chain.group}/providers/Microsoft.ManagedIdentity/"
                                              f"userAssignedIdentities/{prefix}-uami1").json()
    assert outputs["first"]["value"] == uami["properties"]["principalId"]
    assert uami["tags"] == {"owner": f"{prefix}-uami"}
    # Same inputs, same uniqueString; a cycle is refused.
    again = deploy(rm, chain, unique("dep"), tpl, params(prefix=prefix)).result()
    assert again.properties.outputs["unique"]["value"] == outputs["unique"]["value"]
    tpl["resources"][1]["dependsOn"] = ["uamis"]
    with pytest.raises(HttpResponseError) as cycle:
        deploy(rm, chain, unique("dep"), tpl, params(prefix=prefix))
    assert cycle.value.error.code == "InvalidTemplate" and "Circular dependency" in cycle.value.error.message


def test_deployment_of_a_missing_group_or_unknown_deployment_is_404(chain):
    rm = resources_client(chain)
    with pytest.raises(HttpResponseError) as e:
        rm.deployments.get(group(chain), "nope")
    assert e.value.status_code == 404 and e.value.error.code == "DeploymentNotFound"
    with pytest.raises(HttpResponseError) as g:
        rm.deployments.begin_create_or_update("no-such-group", "d", {"properties": {
            "mode": "Incremental", "template": {"resources": []}}})
    assert g.value.status_code == 404 and g.value.error.code == "ResourceGroupNotFound"


def test_deployment_history_survives_a_restart(emulator_factory, tmp_path, monkeypatch):
    emu = emulator_factory(data_dir=str(tmp_path / "data"))
    chain = setup_keyed_chain(emu, monkeypatch, "dr")
    name = unique("dep")
    deploy(resources_client(chain), chain, name, template("cmk-disk-encryption-set.json"),
           des_parameters(chain, unique("des"))).result()
    port = emu.port
    emu.stop()
    emu.start(port=port)
    rm = resources_client(chain)
    assert rm.deployments.get(group(chain), name).properties.provisioning_state == "Succeeded"
    assert [o.properties.provisioning_state for o in rm.deployment_operations.list(group(chain), name)] == ["Succeeded"]
