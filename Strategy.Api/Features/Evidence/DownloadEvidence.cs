using System.Security.Cryptography;
using Marten;
using Mediator;
using Microsoft.Net.Http.Headers;
using Microsoft.AspNetCore.Http.HttpResults;
using Strategy.Api.Http;
using Strategy.Infrastructure.Evidence;

namespace Strategy.Api.Features.Evidence;

public sealed record EvidenceFile(string Name, string ContentType, string Sha256, byte[] Content);

public sealed record DownloadEvidence(Guid Id) : IQuery<EvidenceFile>;

public sealed class DownloadEvidenceHandler(IQuerySession session, EvidenceStore store) : IQueryHandler<DownloadEvidence, EvidenceFile>
{
    public async ValueTask<EvidenceFile> Handle(DownloadEvidence query, CancellationToken ct)
    {
        var view = await session.LoadAsync<EvidenceView>(query.Id, ct) ?? throw RejectedException.NotFound($"No evidence {query.Id}.");
        // Hashed again on every download: bytes changed in the database since the upload must not pass for the evidence.
        var content = await store.OpenAsync(view.Sha256, ct)
            ?? throw new StoredFileAlteredException($"The stored file with SHA-256 {view.Sha256}, recorded when it was uploaded, is missing.");
        if (EvidenceStore.Hex(SHA256.HashData(content)) != view.Sha256)
            throw new StoredFileAlteredException(
                $"The stored file was altered: its bytes no longer hash to the SHA-256 {view.Sha256} recorded when it was uploaded.");
        return new EvidenceFile(view.Name, view.ContentType, view.Sha256, content);
    }
}

public static class DownloadEvidenceEndpoint
{
    /// <summary>The screens' link to a file: the same download, for a signed-in session rather than a token.</summary>
    public const string ScreenPath = "/files/{id:guid}";

    private static async Task<FileContentHttpResult> Serve(Guid id, IMediator mediator, CancellationToken ct)
    {
        var file = await mediator.Send(new DownloadEvidence(id), ct);
        // The framework writes Content-Disposition with filename and an RFC 5987 filename*, quoting and encoding the name.
        return TypedResults.File(file.Content, file.ContentType, file.Name, entityTag: new EntityTagHeaderValue($"\"{file.Sha256}\""));
    }

    public static void MapForScreens(IEndpointRouteBuilder app) =>
        app.MapGet(ScreenPath, (Guid id, IMediator mediator, CancellationToken ct) => Serve(id, mediator, ct)).RequireAuthorization(Auth.Policies.Read).ExcludeFromDescription();

    public static void Map(RouteGroupBuilder api) =>
        // A lambda, not the method group: the document tags an operation by its handler's declaring type.
        api.MapGet("/evidence/{id:guid}", (Guid id, IMediator mediator, CancellationToken ct) => Serve(id, mediator, ct))
            .WithName("DownloadEvidence")
            .WithSummary("Download an evidence file")
            .WithDescription("Any role. The file as an attachment under its recorded name and type; the ETag is its SHA-256 (If-None-Match gives 304). " +
                "The bytes are hashed again before they are served: if they no longer match the SHA-256 recorded at upload, the answer is 409.")
            .Produces(StatusCodes.Status200OK)
            .Files("application/octet-stream")
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict);
}
