"""The keys of Azure's REST examples (reference/samples, API 2024-03-03), flattened as `az`
prints them: the body's keys beside `properties`, and the keys inside it
(GalleryImageVersion_Get_WithReplicationStatus and GalleryImage_Get)."""

AZURE_VERSION_KEYS = {
    "id",
    "name",
    "location",
    "publishingProfile",
    "storageProfile",
    "safetyProfile",
    "replicationStatus",
    "provisioningState",
}
AZURE_DEFINITION_KEYS = {
    "id",
    "name",
    "location",
    "osType",
    "osState",
    "hyperVGeneration",
    "identifier",
    "provisioningState",
}
# keys az adds to what Azure returns
ADDED_BY_AZ = {"resourceGroup", "type", "tags", "etag"}
