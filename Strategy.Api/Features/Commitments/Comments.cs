using System.ComponentModel.DataAnnotations;
using FluentValidation;
using Marten;
using Mediator;
using Strategy.Api.Auth;
using Strategy.Api.Http;
using Strategy.Api.Pipeline;
using Strategy.Domain;
using Strategy.Domain.Commitments;
using Strategy.Infrastructure.Projections;
using Strategy.Infrastructure.Store;

namespace Strategy.Api.Features.Commitments;

public sealed record CommentBody([property: Required] string? Text, Guid? Value);

/// <summary>A message in a commitment's thread. <see cref="Return"/>: written when the secretariat returned <see cref="Value"/>.</summary>
public sealed record CommentDto(Guid Id, Guid Commitment, string Text, Guid? Value, bool Return, DateTimeOffset PostedAt, ActorRef PostedBy)
{
    public static CommentDto From(CommentView c) => new(c.Id, c.CommitmentId, c.Text, c.ValueId, c.Return, c.PostedAt, c.PostedBy);
}

public sealed record CommentWriteResult(CommentDto Comment, long Version);

[AllowedRoles(Role.Secretariat, Role.Admin, Role.FocalPoint)]
public sealed record PostComment(Guid Id, long? ExpectedVersion, CommentBody Body) : ICommand<CommentWriteResult>;

public sealed class PostCommentValidator : AbstractValidator<PostComment>
{
    public PostCommentValidator() => RuleFor(x => x.Body.Text).NotEmpty().OverridePropertyName("text");
}

/// <summary>
/// Appends to the commitment's correspondence stream (with its evidence uploads), so the commitment's own version (and
/// anyone's If-Match on it) is untouched; If-Match here is the correspondence stream's version.
/// </summary>
public sealed class PostCommentHandler(IDocumentSession session, CurrentActor actor) : ICommandHandler<PostComment, CommentWriteResult>
{
    public async ValueTask<CommentWriteResult> Handle(PostComment command, CancellationToken ct)
    {
        var commitment = await session.LoadAsync<Commitment>(command.Id, ct) ?? throw RejectedException.NotFound($"No commitment {command.Id}.");
        var id = Guid.CreateVersion7();
        var posted = await session.Query<CommentView>().CountAsync(c => c.CommitmentId == command.Id, ct);
        var decision = CommentDecisions.Post(commitment, id, command.Body.Text, command.Body.Value, actor.Actor, posted);
        if (!decision.IsAccepted) throw new RejectedException(decision.Rejection!);
        var version = await Correspondence.AppendAsync(session, command.Id, decision.Events.Single(), command.ExpectedVersion, ct);
        await session.SaveChangesAsync(ct);
        var saved = await session.LoadAsync<CommentView>(id, ct) ?? throw new InvalidOperationException("The inline comment view was not written.");
        return new CommentWriteResult(CommentDto.From(saved), version);
    }
}

public sealed record GetThread(Guid Id) : IQuery<(IReadOnlyList<CommentDto> Comments, long Version)>;

public sealed class GetThreadHandler(IQuerySession session) : IQueryHandler<GetThread, (IReadOnlyList<CommentDto> Comments, long Version)>
{
    public async ValueTask<(IReadOnlyList<CommentDto> Comments, long Version)> Handle(GetThread query, CancellationToken ct)
    {
        if (await session.LoadAsync<CommitmentView>(query.Id, ct) is null) throw RejectedException.NotFound($"No commitment {query.Id}.");
        var comments = await session.Query<CommentView>().Where(c => c.CommitmentId == query.Id).OrderBy(c => c.PostedAt).ThenBy(c => c.Id).ToListAsync(ct);
        var version = await Correspondence.VersionAsync(session, query.Id, ct);
        return ([.. comments.Select(CommentDto.From)], version);
    }
}

public static class CommentEndpoints
{
    public static void Map(RouteGroupBuilder api)
    {
        api.MapPost("/commitments/{id:guid}/comments", async (Guid id, CommentBody body, HttpContext http, IMediator mediator, CancellationToken ct) =>
            {
                var result = await mediator.Send(new PostComment(id, Versions.ExpectedVersion(http.Request), body), ct);
                Versions.SetETag(http.Response, result.Version);
                return TypedResults.Created($"/api/commitments/{id}/comments", result.Comment);
            })
            .WithName("PostComment")
            .WithSummary("Write in a commitment's thread (secretariat, or the focal point of its country)")
            .WithDescription("text is required; value, optionally, the id of the value the comment is about. The thread is kept apart from the commitment: " +
                "a comment does not change the commitment's version. The ETag is the thread's version, and If-Match, when given, is checked against it.")
            .WriteResponses<CommentDto>(created: true);

        api.MapGet("/commitments/{id:guid}/comments", async (Guid id, HttpContext http, IMediator mediator, CancellationToken ct) =>
            {
                var (comments, version) = await mediator.Send(new GetThread(id), ct);
                Versions.SetETag(http.Response, version);
                return TypedResults.Ok(comments);
            })
            .WithName("GetThread")
            .WithSummary("A commitment's thread, oldest first: comments, and the secretariat's returns of values for correction")
            .WithDescription($"At most {CommentDecisions.MaxComments} comments a thread. The ETag is the thread's version, which a comment's If-Match is checked against.")
            .ReadResponses<IReadOnlyList<CommentDto>>(maxItems: CommentDecisions.MaxComments);
    }
}
