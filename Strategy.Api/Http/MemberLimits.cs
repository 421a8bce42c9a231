using Microsoft.AspNetCore.Mvc;
using Strategy.Api.Features.Plans;
using Strategy.Domain;
using Strategy.Domain.Commitments;
using Strategy.Domain.Plans;
using Strategy.Infrastructure.Audit;
using Strategy.Infrastructure.Evidence;

namespace Strategy.Api.Http;

/// <summary>A string member's limit: its length, and the pattern (ECMA-262, as JSON Schema reads it) it must match when not empty.</summary>
public sealed record TextLimit(int MaxLength, string? Pattern = null, string? Rule = null, string? Format = null);

/// <summary>
/// The limits of the API's JSON members, by member name (and by type where one name means two things): one table, which
/// the OpenAPI document shows (<see cref="OpenApiLimits"/>) and every request body is held to before a handler reads it
/// (<see cref="RequestLimits"/>), so the two cannot drift. The numbers are the domain's own constants. A string or list
/// member missing here leaves the document without its limit, which the contract lint reports.
/// </summary>
public static class MemberLimits
{
    public static readonly TextLimit Code = new(Codes.MaxCodeLength, "^" + Codes.CodeBody + "$", Codes.CodeRule);
    public static readonly TextLimit CountryCode = new(2, "^" + Codes.CountryCodeBody + "$", "Use an ISO 3166-1 alpha-2 code such as KH.");
    public static readonly TextLimit Title = new(Codes.MaxTitleLength);
    public static readonly TextLimit Text = new(Codes.MaxTextLength);
    public static readonly TextLimit Sha256 = new(64, "^[0-9a-f]{64}$", "Use 64 lower-case hexadecimal digits.");
    public static readonly TextLimit SdgTarget = new(5, @"^[0-9]{1,2}\.[0-9a-z]{1,2}$", "Use an SDG target number such as 13.2.");

    public const int SdgTitleLength = 1000;

    /// <summary>Claims a token may carry, bounded so every actor recorded and shown has a known size.</summary>
    public const int MaxSubjectLength = 200;

    /// <summary>The longest instant the API writes (2026-12-02T02:07:00.1234567+00:00 is 33) with room for an offset's other forms.</summary>
    private const int MaxInstantLength = 40;

    /// <summary>An audit entry's canonical data and headers: an event is far smaller than the largest request body.</summary>
    private const int MaxCanonicalLength = 1024 * 1024;

    private static readonly Dictionary<string, TextLimit> Strings = new(StringComparer.Ordinal)
    {
        ["code"] = Code, ["plan"] = Code, ["goal"] = Code, ["outcome"] = Code, ["indicator"] = Code, ["round"] = Code,
        ["schedule"] = Code,
        ["country"] = CountryCode,
        ["iso3"] = new(3, "^([A-Z]{3})?$", "Use an ISO 3166-1 alpha-3 code such as KHM."),
        ["title"] = Title, ["name"] = Title, ["leadAgency"] = Title, ["shortTitle"] = Title,
        ["description"] = Text, ["note"] = Text, ["reason"] = Text, ["comment"] = Text, ["text"] = Text, ["reviewNote"] = Text,
        ["error"] = Text, ["detail"] = Text,
        ["unit"] = new(Codes.MaxUnitLength),
        ["evidenceUrl"] = new(Codes.MaxUrlLength, Format: "uri"),
        ["sha256"] = Sha256, ["hash"] = Sha256, ["chainHash"] = Sha256, ["contentHash"] = Sha256, ["previous"] = Sha256, ["storedHash"] = Sha256,
        ["headHash"] = Sha256,
        ["signature"] = new(88, "^[A-Za-z0-9+/]+={0,2}$"),
        ["keyId"] = new(16, "^[0-9a-f]{16}$"),
        ["algorithm"] = new(16), ["occasion"] = new(16), ["kind"] = new(32), ["role"] = new(32), ["field"] = new(64),
        ["contentType"] = new(255),
        ["publicKeyPem"] = new(1000),
        ["id"] = new(MaxSubjectLength), ["userName"] = new(MaxSubjectLength),
        ["streamId"] = new(36), ["correlationId"] = new(MaxSubjectLength), ["causationId"] = new(MaxSubjectLength),
        ["timestamp"] = new(MaxInstantLength),
        ["data"] = new(MaxCanonicalLength), ["headers"] = new(MaxCanonicalLength),
        ["type"] = new(64),
        ["target"] = SdgTarget,
        ["instance"] = new(2048),
        ["lang"] = new(2, "^[a-z]{2}$"), ["language"] = new(2, "^[a-z]{2}$"),
        ["email"] = new(Strategy.Domain.Notifications.Notices.MaxEmailLength, Format: "email"), ["sub"] = new(MaxSubjectLength),
        ["updatedBy"] = new(MaxSubjectLength), ["notice"] = new(32),
    };

    private static readonly Dictionary<(Type, string), TextLimit> TypeStrings = new()
    {
        [(typeof(CountryBody), "code")] = CountryCode,
        [(typeof(Country), "code")] = CountryCode,
        [(typeof(Strategy.Api.Features.Evidence.EvidenceDto), "name")] = new(EvidenceDecisions.MaxNameLength),
        [(typeof(EvidenceRef), "name")] = new(EvidenceDecisions.MaxNameLength),
        [(typeof(ProblemDetails), "type")] = new(2048),
        // The UN's titles, as published: the longest target's is 564 characters.
        [(typeof(Strategy.Api.Features.Sdg.SdgTarget), "title")] = new(SdgTitleLength),
        [(typeof(Strategy.Api.Features.Sdg.SdgIndicator), "title")] = new(SdgTitleLength),
        [(typeof(Strategy.Api.Features.Sdg.SdgGoal), "title")] = new(SdgTitleLength),
    };

    /// <summary>The limit of each string in a list, by the list's name.</summary>
    private static readonly Dictionary<string, TextLimit> ItemStrings = new(StringComparer.Ordinal)
    {
        ["countries"] = CountryCode, ["sdgTargets"] = SdgTarget, ["altered"] = Sha256, ["missing"] = Sha256,
    };

    private static readonly Dictionary<string, int> Lists = new(StringComparer.Ordinal)
    {
        ["countries"] = PlanLimits.MaxCountries, ["completeness"] = PlanLimits.MaxCountries,
        ["goals"] = PlanLimits.MaxGoals, ["outcomes"] = PlanLimits.MaxOutcomesPerGoal,
        ["indicators"] = PlanLimits.MaxIndicatorsPerOutcome, ["sdgTargets"] = PlanLimits.MaxSdgTargetsPerOutcome,
        ["commitments"] = PlanLimits.MaxImportedCommitments,
        ["evidence"] = ValueDecisions.MaxEvidence,
        ["items"] = Strategy.Api.Features.Audit.AuditEndpoints.MaxLimit,
        ["changes"] = AuditLog.MaxChanges,
        ["altered"] = EvidenceStore.MaxListed, ["missing"] = EvidenceStore.MaxListed,
    };

    public static TextLimit? ForString(Type declaringType, string name) =>
        TypeStrings.TryGetValue((declaringType, name), out var byType) ? byType : Strings.GetValueOrDefault(name);

    public static TextLimit? ForItem(string listName) => ItemStrings.GetValueOrDefault(listName);

    public static int? ForList(string name) => Lists.TryGetValue(name, out var max) ? max : null;
}
