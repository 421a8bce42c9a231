using System.Security.Cryptography;
using FluentValidation;
using Marten;
using Mediator;
using Microsoft.Net.Http.Headers;
using Strategy.Api.Auth;
using Strategy.Api.Http;
using Strategy.Api.Pipeline;
using Strategy.Domain;
using Strategy.Domain.Commitments;
using Strategy.Infrastructure.Evidence;
using Strategy.Infrastructure.Projections;

namespace Strategy.Api.Features.Evidence;

public sealed record EvidenceDto(Guid Id, string Name, long Size, string ContentType, string Sha256);

public sealed record EvidenceUploadResult(EvidenceDto Evidence, long Version);

/// <summary>The multipart form the upload takes, as the OpenAPI document describes it.</summary>
public sealed record EvidenceForm(IFormFile File);

[AllowedRoles(Role.Secretariat, Role.Admin, Role.FocalPoint)]
/// <param name="ExpectedVersion">If-Match: the correspondence stream's version the caller read.</param>
public sealed record UploadEvidence(Guid CommitmentId, IFormFile? File, long? ExpectedVersion = null) : ICommand<EvidenceUploadResult>;

public sealed class UploadEvidenceValidator : AbstractValidator<UploadEvidence>
{
    public UploadEvidenceValidator() =>
        RuleFor(x => x.File).NotNull().WithMessage("Send one file in the multipart part named file.").OverridePropertyName("file");
}

public sealed class UploadEvidenceHandler(IDocumentSession session, CurrentActor actor, EvidenceStore store)
    : ICommandHandler<UploadEvidence, EvidenceUploadResult>
{
    public async ValueTask<EvidenceUploadResult> Handle(UploadEvidence command, CancellationToken ct)
    {
        var file = command.File!;
        if (file.Length > EvidenceDecisions.MaxBytes)
            throw new BadHttpRequestException($"The file is over {EvidenceDecisions.MaxBytes} bytes (10 MiB).", StatusCodes.Status413PayloadTooLarge);
        var commitment = await session.LoadAsync<Commitment>(command.CommitmentId, ct)
            ?? throw RejectedException.NotFound($"No commitment {command.CommitmentId}.");

        var content = new byte[file.Length];
        await using (var stream = file.OpenReadStream()) await stream.ReadExactlyAsync(content, ct);
        var contentType = EvidenceTypes.Detect(content, file.FileName)
            ?? throw new BadHttpRequestException(
                $"The file is not of an allowed type: {EvidenceTypes.AllowedNames}. The type is read from the file's bytes, not its name.",
                StatusCodes.Status415UnsupportedMediaType);

        var decision = EvidenceDecisions.Upload(commitment.Country, commitment.Withdrawn, commitment.Id, Guid.CreateVersion7(),
            file.FileName, content.Length, contentType, EvidenceStore.Hex(SHA256.HashData(content)), actor.Actor);
        if (!decision.IsAccepted) throw new RejectedException(decision.Rejection!);
        var uploaded = (EvidenceUploaded)decision.Events.Single();
        var version = await store.AppendAsync(session, uploaded, content, command.ExpectedVersion, ct);
        await session.SaveChangesAsync(ct);
        return new EvidenceUploadResult(new EvidenceDto(uploaded.EvidenceId, uploaded.Name, uploaded.Size, uploaded.ContentType, uploaded.Sha256), version);
    }
}

public static class UploadEvidenceEndpoint
{
    /// <summary>A file at the limit and what multipart wraps it in (boundaries, part headers, other small fields).</summary>
    public const long MaxBodyBytes = EvidenceDecisions.MaxBytes + 64 * 1024;

    public static void Map(RouteGroupBuilder api) =>
        api.MapPost("/commitments/{id:guid}/evidence", async (Guid id, HttpRequest request, IMediator mediator, CancellationToken ct) =>
            {
                var result = await mediator.Send(new UploadEvidence(id, await FileFromFormAsync(request, ct), Versions.ExpectedVersion(request)), ct);
                Versions.SetETag(request.HttpContext.Response, result.Version);
                return TypedResults.Created($"/api/evidence/{result.Evidence.Id}", result.Evidence);
            })
            .WithBodyLimit(MaxBodyBytes)
            // Callers authenticate with a bearer token, which a browser does not send by itself: no cross-site form to guard.
            .DisableAntiforgery()
            .Accepts<EvidenceForm>("multipart/form-data")
            .WithName("UploadEvidence")
            .WithSummary("Upload an evidence file for a commitment")
            .WithDescription("Secretariat, or the focal point of the commitment's country. multipart/form-data with one file in the part named file, " +
                "at most 10 MiB (413 above). PDF, PNG, JPEG, DOCX, XLSX, CSV or UTF-8 plain text, recognised from the bytes, not the name or declared type " +
                "(415 otherwise). The name is kept without any path. The same bytes are stored once; each upload is recorded with its SHA-256 on the " +
                "commitment's correspondence stream, whose version is the ETag (the commitment's own version does not change). " +
                "Idempotency-Key makes a retry safe. Download it at the Location.")
            .Produces<EvidenceDto>(StatusCodes.Status201Created)
            .ProducesProblem(StatusCodes.Status400BadRequest)
            .ProducesProblem(StatusCodes.Status401Unauthorized)
            .ProducesProblem(StatusCodes.Status403Forbidden)
            .ProducesProblem(StatusCodes.Status404NotFound)
            .ProducesProblem(StatusCodes.Status409Conflict)
            .ProducesProblem(StatusCodes.Status413PayloadTooLarge)
            .ProducesProblem(StatusCodes.Status415UnsupportedMediaType)
            .ProducesProblem(StatusCodes.Status422UnprocessableEntity)
            .ProducesProblem(StatusCodes.Status503ServiceUnavailable);

    /// <summary>
    /// The form read here rather than bound by the framework, so a body that is not multipart, is malformed or has no
    /// file part gets this API's problem answers (415, 400 naming the field) instead of the framework's.
    /// </summary>
    private static async Task<IFormFile?> FileFromFormAsync(HttpRequest request, CancellationToken ct)
    {
        if (!MediaTypeHeaderValue.TryParse(request.ContentType, out var media)
            || !media.MediaType.Equals("multipart/form-data", StringComparison.OrdinalIgnoreCase))
            throw new BadHttpRequestException("Send the file as multipart/form-data, in a part named file.", StatusCodes.Status415UnsupportedMediaType);
        IFormCollection form;
        try
        {
            form = await request.ReadFormAsync(ct);
        }
        catch (Exception e) when (e is InvalidDataException || e is IOException and not BadHttpRequestException)
        {
            // A body over the limit is a BadHttpRequestException (413) and goes through as such.
            throw RejectedException.Invalid("body", "Not a well-formed multipart/form-data body.");
        }
        var files = form.Files.GetFiles("file");
        if (files.Count > 1) throw RejectedException.Invalid("file", "Send one file, not several.");
        return files.Count == 1 ? files[0] : null;
    }
}
