using System.Collections.Concurrent;
using System.Reflection;
using FluentValidation;
using Mediator;
using Strategy.Api.Auth;
using Strategy.Api.Hosting;
using Strategy.Api.Http;
using Strategy.Domain;

namespace Strategy.Api.Pipeline;

/// <summary>The roles that may send a request; requests without it are open to every authenticated role.</summary>
[AttributeUsage(AttributeTargets.Class)]
public sealed class AllowedRolesAttribute(params Role[] roles) : Attribute
{
    public IReadOnlyList<Role> Roles { get; } = roles;
}

/// <summary>
/// Each request as a span named for it and, for commands, a count by outcome. Outermost, so refusals by the later
/// behaviours are counted too. Tags name the request only: the actor and the body stay out of telemetry.
/// </summary>
public sealed class TracingBehaviour<TMessage, TResponse>(StrategyMetrics metrics) : IPipelineBehavior<TMessage, TResponse>
    where TMessage : IMessage
{
    private static readonly string Name = typeof(TMessage).Name;
    private static readonly bool IsCommand = typeof(IBaseCommand).IsAssignableFrom(typeof(TMessage));

    public async ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken ct)
    {
        using var activity = Telemetry.Source.StartActivity(Name);
        activity?.SetTag(Telemetry.RequestTag, Name);
        activity?.SetTag("strategy.request.kind", IsCommand ? "command" : "query");
        try
        {
            var response = await next(message, ct);
            if (IsCommand) metrics.Write(Name, StrategyMetrics.Outcome(null));
            return response;
        }
        catch (Exception e)
        {
            var outcome = StrategyMetrics.Outcome(e);
            activity?.SetTag("strategy.outcome", outcome);
            activity?.SetStatus(System.Diagnostics.ActivityStatusCode.Error, outcome);
            if (IsCommand) metrics.Write(Name, outcome);
            throw;
        }
    }
}

public sealed class LoggingBehaviour<TMessage, TResponse>(ILogger<LoggingBehaviour<TMessage, TResponse>> log, CurrentActor actor)
    : IPipelineBehavior<TMessage, TResponse> where TMessage : IMessage
{
    public async ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken ct)
    {
        var started = System.Diagnostics.Stopwatch.GetTimestamp();
        var response = await next(message, ct);
        log.LogInformation("{Request} by {Actor} in {Ms:0.0} ms", typeof(TMessage).Name, actor.Actor.Id,
            System.Diagnostics.Stopwatch.GetElapsedTime(started).TotalMilliseconds);
        return response;
    }
}

public sealed class AuthorizationBehaviour<TMessage, TResponse>(CurrentActor actor) : IPipelineBehavior<TMessage, TResponse>
    where TMessage : IMessage
{
    private static readonly ConcurrentDictionary<Type, IReadOnlyList<Role>?> Allowed = new();

    public ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken ct)
    {
        var roles = Allowed.GetOrAdd(typeof(TMessage), t => t.GetCustomAttribute<AllowedRolesAttribute>()?.Roles);
        if (roles is not null && !roles.Contains(actor.Actor.Role))
            throw new RejectedException(Rejection.Forbidden($"The {Claims.RoleName(actor.Actor.Role)} role may not do this."));
        return next(message, ct);
    }
}

/// <summary>
/// Holds what a command carries (its body, from an endpoint or a screen's form) to <see cref="RequestLimits"/>, the
/// limits the OpenAPI document states, before anything else reads it.
/// </summary>
public sealed class RequestLimitsBehaviour<TMessage, TResponse> : IPipelineBehavior<TMessage, TResponse> where TMessage : IMessage
{
    private static readonly PropertyInfo[] Bodies = typeof(TMessage).GetInterfaces().Any(i => i.IsGenericType && i.GetGenericTypeDefinition() == typeof(ICommand<>))
        ? [.. typeof(TMessage).GetProperties().Where(p => RequestLimits.IsBodyType(p.PropertyType))]
        : [];

    public ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken ct)
    {
        foreach (var body in Bodies)
            if (body.GetValue(message) is { } value) RequestLimits.Check(value);
        return next(message, ct);
    }
}

public sealed class ValidationBehaviour<TMessage, TResponse>(IEnumerable<IValidator<TMessage>> validators) : IPipelineBehavior<TMessage, TResponse>
    where TMessage : IMessage
{
    public async ValueTask<TResponse> Handle(TMessage message, MessageHandlerDelegate<TMessage, TResponse> next, CancellationToken ct)
    {
        foreach (var validator in validators)
        {
            var result = await validator.ValidateAsync(message, ct);
            if (!result.IsValid) throw new ValidationException(result.Errors);
        }
        return await next(message, ct);
    }
}
