namespace Strategy.Api.Features.Evidence;

public static class EvidenceEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        UploadEvidenceEndpoint.Map(api);
        // /evidence/verify is no id: the download's route takes GUIDs only, so the two never compete for a path.
        VerifyEvidenceEndpoint.Map(api);
        DownloadEvidenceEndpoint.Map(api);
    }
}
