using System.Buffers;
using System.Text;
using System.Text.Json;
using Marten;
using Npgsql;
using Strategy.Domain.Commitments;
using Strategy.Domain.Progress;
using Strategy.Domain.Reports;
using Strategy.Infrastructure.Projections;
using Strategy.Infrastructure.Store;

namespace Strategy.Infrastructure.Reports;

/// <summary>
/// A current report's read of the plan's commitment views: the stored JSON as PostgreSQL sends it, taken apart with
/// <see cref="Utf8JsonReader"/> into the summary, skipping what a report does not read (the actors' names and roles).
/// Deserializing 20,000 views into records through the serializer was most of a current report's time; extracting the
/// members in SQL moved the cost to PostgreSQL (0.44 s at L against 0.25 s to send the views whole). The JSON names are
/// the members' names under the store's naming policy, so a renamed member is read by its new name, and
/// CommitmentSnapshotsTests keep this read equal to the views as Marten loads them.
/// </summary>
public static class CommitmentSnapshots
{
    /// <summary>
    /// The plan's commitments as their views hold them, in code order, read on <paramref name="connection"/> (inside the
    /// caller's transaction, so in its snapshot).
    /// </summary>
    public static Task<List<CommitmentSnapshot>> ReadAsync(NpgsqlConnection connection, string schema, string planCode, CancellationToken ct) =>
        ReadAsync(connection, schema, planCode, c => c, c => c.State.Code, ct);

    /// <summary>
    /// The plan's commitments, each passed through <paramref name="map"/> as soon as it is parsed, on the thread pool
    /// while the next views arrive, and put in code order (<paramref name="codeOf"/>): each batch is sorted as it is
    /// parsed and the batches merged at the end, so what a caller computes from each commitment alone, and the order
    /// a report lists them in, are done by the time the read ends.
    /// </summary>
    public static async Task<List<T>> ReadAsync<T>(NpgsqlConnection connection, string schema, string planCode, Func<CommitmentSnapshot, T> map,
        Func<T, string> codeOf, CancellationToken ct)
    {
        await using var command = new NpgsqlCommand(
            $"select d.data from {schema}.mt_doc_commitmentview d where d.{CommitmentColumns.PlanCode} = @plan", connection);
        command.Parameters.AddWithValue("plan", planCode);
        // Codes are unique within a plan (a unique index), so an unstable sort gives one order.
        Comparison<T> byCode = (a, b) => string.CompareOrdinal(codeOf(a), codeOf(b));
        var parsing = new List<Task<T[]>>();
        var batch = new ViewBatch();
        try
        {
            await using (var reader = await command.ExecuteReaderAsync(ct))
            {
                while (await reader.ReadAsync(ct))
                {
                    if (!batch.Add(reader)) continue;
                    parsing.Add(ParseAsync(batch, map, byCode));
                    batch = new ViewBatch();
                }
            }
            if (batch.Count > 0) parsing.Add(ParseAsync(batch, map, byCode));
            else batch.Dispose();
        }
        catch
        {
            batch.Dispose();
            // The batches already handed over return their buffers as they end.
            try { await Task.WhenAll(parsing); } catch (Exception) { }
            throw;
        }
        return SortedRuns.Merge(await Task.WhenAll(parsing), byCode);
    }

    private static Task<T[]> ParseAsync<T>(ViewBatch views, Func<CommitmentSnapshot, T> map, Comparison<T> order) =>
        Task.Run(() =>
        {
            using (views)
            {
                var strings = new StringPool();
                var parsed = new T[views.Count];
                for (var i = 0; i < parsed.Length; i++) parsed[i] = map(Parse(views.View(i), strings));
                Array.Sort(parsed, order);
                return parsed;
            }
        });

    /// <summary>
    /// Views read as PostgreSQL sends them (jsonb's binary form: a version byte, then the JSON text), copied one after the
    /// other into a pooled buffer: at 20,000 views an array of its own for each was a third of a report's allocations.
    /// </summary>
    private sealed class ViewBatch : IDisposable
    {
        private const int MaxViews = 500, Size = 1 << 20;
        private const byte JsonbVersion = 1;
        private byte[] buffer = ArrayPool<byte>.Shared.Rent(Size);
        private readonly List<(int Start, int Length)> views = new(MaxViews);
        private int used;

        public int Count => views.Count;

        /// <summary>Copies the reader's current view in; true when the batch is full.</summary>
        public bool Add(NpgsqlDataReader reader)
        {
            var length = checked((int)reader.GetBytes(0, 0, null, 0, 0));
            if (used + length > buffer.Length)
            {
                var larger = ArrayPool<byte>.Shared.Rent(Math.Max(2 * buffer.Length, used + length));
                buffer.AsSpan(0, used).CopyTo(larger);
                ArrayPool<byte>.Shared.Return(buffer);
                buffer = larger;
            }
            var read = (int)reader.GetBytes(0, 0, buffer, used, length);
            if (read != length || length == 0 || buffer[used] != JsonbVersion) throw Malformed("jsonb in its binary form (version 1)");
            views.Add((used + 1, length - 1));
            used += length;
            return views.Count >= MaxViews || used >= Size - Size / 8;
        }

        public ReadOnlySpan<byte> View(int i) => buffer.AsSpan(views[i].Start, views[i].Length);

        public void Dispose()
        {
            if (buffer.Length == 0) return;
            ArrayPool<byte>.Shared.Return(buffer);
            buffer = [];
        }
    }

    /// <summary>
    /// One string for each text met again in a batch (plan, country, goal, outcome, indicator, unit, agency, actor): the
    /// views repeat a few of them 20,000 times. Bounded, so a plan of distinct texts costs a lookup each, not memory.
    /// </summary>
    private sealed class StringPool
    {
        private const int MaxEntries = 1024, MaxChars = 256;
        private readonly Dictionary<string, string> strings = new(StringComparer.Ordinal);
        private readonly Dictionary<string, string>.AlternateLookup<ReadOnlySpan<char>> lookup;

        public StringPool() => lookup = strings.GetAlternateLookup<ReadOnlySpan<char>>();

        public string? Get(ref Utf8JsonReader r)
        {
            r.Read();
            if (r.TokenType == JsonTokenType.Null) return null;
            if (r.TokenType != JsonTokenType.String || r.ValueSpan.Length > MaxChars) return r.GetString();
            // Unescaped, a string has at most as many UTF-16 chars as its JSON has bytes.
            Span<char> chars = stackalloc char[MaxChars];
            var text = chars[..r.CopyString(chars)];
            if (lookup.TryGetValue(text, out var known)) return known;
            var s = new string(text);
            if (strings.Count < MaxEntries) strings[s] = s;
            return s;
        }
    }

    private static byte[] Name(string member) => Encoding.UTF8.GetBytes(StoredJson.Member(member));

    private static readonly byte[] StateName = Name(nameof(CommitmentView.State)), CreatedAtName = Name(nameof(CommitmentView.CreatedAt)),
        LastUpdatedAtName = Name(nameof(CommitmentView.LastUpdatedAt)), LastUpdatedByName = Name(nameof(CommitmentView.LastUpdatedBy)),
        ActorIdName = Name(nameof(ActorRef.Id));

    private static readonly byte[] IdName = Name(nameof(CommitmentSummary.Id)), PlanCodeName = Name(nameof(CommitmentSummary.PlanCode)),
        CodeName = Name(nameof(CommitmentSummary.Code)), CountryName = Name(nameof(CommitmentSummary.Country)), GoalName = Name(nameof(CommitmentSummary.Goal)),
        OutcomeName = Name(nameof(CommitmentSummary.Outcome)), TitleName = Name(nameof(CommitmentSummary.Title)),
        DescriptionName = Name(nameof(CommitmentSummary.Description)), LeadAgencyName = Name(nameof(CommitmentSummary.LeadAgency)),
        PlanStartName = Name(nameof(CommitmentSummary.PlanStart)), PlanEndName = Name(nameof(CommitmentSummary.PlanEnd)),
        StartName = Name(nameof(CommitmentSummary.Start)), DueName = Name(nameof(CommitmentSummary.Due)), IndicatorName = Name(nameof(CommitmentSummary.Indicator)),
        UnitName = Name(nameof(CommitmentSummary.Unit)), BaselineName = Name(nameof(CommitmentSummary.Baseline)), TargetName = Name(nameof(CommitmentSummary.Target)),
        ShouldDecreaseName = Name(nameof(CommitmentSummary.ShouldDecrease)), ReviewName = Name(nameof(CommitmentSummary.Review)),
        StatusName = Name(nameof(CommitmentSummary.Status)), WithdrawnName = Name(nameof(CommitmentSummary.Withdrawn)),
        LatestName = Name(nameof(CommitmentSummary.Latest)), TrendName = Name(nameof(CommitmentSummary.Trend)), PendingName = Name(nameof(CommitmentSummary.Pending));

    private static readonly byte[] AsOfName = Name(nameof(Measurement.AsOf)), ValueName = Name(nameof(Measurement.Value)),
        ValueIdName = Name(nameof(PendingValue.ValueId)), NName = Name(nameof(Trend.N)), SumTName = Name(nameof(Trend.SumT)),
        SumVName = Name(nameof(Trend.SumV)), SumTTName = Name(nameof(Trend.SumTT)), SumTVName = Name(nameof(Trend.SumTV));

    private static readonly (byte[] Name, CommitmentStatus Status)[] StatusNames =
        [.. StoredJson.ByStoredName<CommitmentStatus>().Select(s => (Encoding.UTF8.GetBytes(s.Key), s.Value))];

    /// <summary>A stored commitment view as a report's snapshot; members the summary does not have are skipped.</summary>
    public static CommitmentSnapshot Parse(ReadOnlySpan<byte> json) => Parse(json, new StringPool());

    private static CommitmentSnapshot Parse(ReadOnlySpan<byte> json, StringPool strings)
    {
        var r = new Utf8JsonReader(json);
        CommitmentSummary? state = null;
        DateTimeOffset? createdAt = null, lastUpdatedAt = null;
        string? lastUpdatedBy = null;
        Expect(ref r, JsonTokenType.StartObject);
        while (Member(ref r))
        {
            if (r.ValueTextEquals(StateName)) { r.Read(); state = Summary(ref r, strings); }
            else if (r.ValueTextEquals(CreatedAtName)) { r.Read(); createdAt = r.GetDateTimeOffset(); }
            else if (r.ValueTextEquals(LastUpdatedAtName)) { r.Read(); lastUpdatedAt = r.GetDateTimeOffset(); }
            else if (r.ValueTextEquals(LastUpdatedByName))
            {
                Expect(ref r, JsonTokenType.StartObject);
                while (Member(ref r))
                    if (r.ValueTextEquals(ActorIdName)) lastUpdatedBy = strings.Get(ref r);
                    else Skip(ref r);
            }
            else Skip(ref r);
        }
        return new CommitmentSnapshot(Required(state, StateName), Required(createdAt, CreatedAtName), Required(lastUpdatedAt, LastUpdatedAtName),
            Required(lastUpdatedBy, LastUpdatedByName));
    }

    private static CommitmentSummary Summary(ref Utf8JsonReader r, StringPool strings)
    {
        Guid? id = null;
        string? plan = null, code = null, country = null, goal = null, outcome = null, title = null, description = null, leadAgency = null, indicator = null, unit = null;
        DateOnly? planStart = null, planEnd = null, start = null, due = null;
        double? baseline = null, target = null;
        bool? shouldDecrease = null, review = null, withdrawn = null;
        CommitmentStatus? status = null;
        Measurement? latest = null;
        Trend? trend = null;
        IReadOnlyList<PendingValue>? pending = null;
        if (r.TokenType != JsonTokenType.StartObject) throw Malformed("state");
        while (Member(ref r))
        {
            if (r.ValueTextEquals(IdName)) { r.Read(); id = r.GetGuid(); }
            else if (r.ValueTextEquals(PlanCodeName)) plan = strings.Get(ref r);
            else if (r.ValueTextEquals(CodeName)) code = Text(ref r);
            else if (r.ValueTextEquals(CountryName)) country = strings.Get(ref r);
            else if (r.ValueTextEquals(GoalName)) goal = strings.Get(ref r);
            else if (r.ValueTextEquals(OutcomeName)) outcome = strings.Get(ref r);
            else if (r.ValueTextEquals(TitleName)) title = Text(ref r);
            else if (r.ValueTextEquals(DescriptionName)) description = Text(ref r);
            else if (r.ValueTextEquals(LeadAgencyName)) leadAgency = strings.Get(ref r);
            else if (r.ValueTextEquals(PlanStartName)) planStart = Date(ref r);
            else if (r.ValueTextEquals(PlanEndName)) planEnd = Date(ref r);
            else if (r.ValueTextEquals(StartName)) start = Date(ref r);
            else if (r.ValueTextEquals(DueName)) due = Date(ref r);
            else if (r.ValueTextEquals(IndicatorName)) indicator = strings.Get(ref r);
            else if (r.ValueTextEquals(UnitName)) unit = strings.Get(ref r);
            else if (r.ValueTextEquals(BaselineName)) baseline = Number(ref r);
            else if (r.ValueTextEquals(TargetName)) target = Number(ref r);
            else if (r.ValueTextEquals(ShouldDecreaseName)) { r.Read(); shouldDecrease = r.GetBoolean(); }
            else if (r.ValueTextEquals(ReviewName)) { r.Read(); review = r.GetBoolean(); }
            else if (r.ValueTextEquals(WithdrawnName)) { r.Read(); withdrawn = r.GetBoolean(); }
            else if (r.ValueTextEquals(StatusName)) status = Status(ref r);
            else if (r.ValueTextEquals(LatestName)) latest = Latest(ref r);
            else if (r.ValueTextEquals(TrendName)) trend = TrendOf(ref r);
            else if (r.ValueTextEquals(PendingName)) pending = Pending(ref r);
            else Skip(ref r);
        }
        return new CommitmentSummary(Required(id, IdName), Required(plan, PlanCodeName), Required(code, CodeName), Required(country, CountryName),
            Required(goal, GoalName), Required(outcome, OutcomeName), Required(title, TitleName), description, Required(leadAgency, LeadAgencyName),
            Required(planStart, PlanStartName), Required(planEnd, PlanEndName), Required(start, StartName), Required(due, DueName), indicator, unit,
            baseline, target, Required(shouldDecrease, ShouldDecreaseName), Required(review, ReviewName), Required(status, StatusName),
            Required(withdrawn, WithdrawnName), latest, Required(trend, TrendName), Required(pending, PendingName));
    }

    private static Measurement? Latest(ref Utf8JsonReader r)
    {
        r.Read();
        if (r.TokenType == JsonTokenType.Null) return null;
        if (r.TokenType != JsonTokenType.StartObject) throw Malformed("state.latest");
        DateOnly? asOf = null;
        double? value = null;
        while (Member(ref r))
            if (r.ValueTextEquals(AsOfName)) asOf = Date(ref r);
            else if (r.ValueTextEquals(ValueName)) value = Number(ref r);
            else Skip(ref r);
        return new Measurement(Required(asOf, AsOfName), Required(value, ValueName));
    }

    private static Trend TrendOf(ref Utf8JsonReader r)
    {
        Expect(ref r, JsonTokenType.StartObject);
        var (n, sumT, sumV, sumTT, sumTV) = (0, 0.0, 0.0, 0.0, 0.0);
        while (Member(ref r))
        {
            if (r.ValueTextEquals(NName)) { r.Read(); n = r.GetInt32(); }
            else if (r.ValueTextEquals(SumTName)) sumT = Required(Number(ref r), SumTName);
            else if (r.ValueTextEquals(SumVName)) sumV = Required(Number(ref r), SumVName);
            else if (r.ValueTextEquals(SumTTName)) sumTT = Required(Number(ref r), SumTTName);
            else if (r.ValueTextEquals(SumTVName)) sumTV = Required(Number(ref r), SumTVName);
            else Skip(ref r);
        }
        return n == 0 && sumT == 0 && sumV == 0 && sumTT == 0 && sumTV == 0 ? Trend.Empty : new Trend(n, sumT, sumV, sumTT, sumTV);
    }

    /// <summary>A status by its stored name, matched on the JSON's bytes.</summary>
    private static CommitmentStatus Status(ref Utf8JsonReader r)
    {
        r.Read();
        if (r.TokenType == JsonTokenType.String)
            foreach (var (name, status) in StatusNames)
                if (r.ValueTextEquals(name)) return status;
        throw Malformed("state.status");
    }

    private static IReadOnlyList<PendingValue> Pending(ref Utf8JsonReader r)
    {
        Expect(ref r, JsonTokenType.StartArray);
        List<PendingValue>? pending = null;
        while (r.Read() && r.TokenType != JsonTokenType.EndArray)
        {
            if (r.TokenType != JsonTokenType.StartObject) throw Malformed("state.pending");
            Guid? valueId = null;
            DateOnly? asOf = null;
            double? value = null;
            while (Member(ref r))
                if (r.ValueTextEquals(ValueIdName)) { r.Read(); valueId = r.GetGuid(); }
                else if (r.ValueTextEquals(AsOfName)) asOf = Date(ref r);
                else if (r.ValueTextEquals(ValueName)) value = Number(ref r);
                else Skip(ref r);
            (pending ??= []).Add(new PendingValue(Required(valueId, ValueIdName), Required(asOf, AsOfName), Required(value, ValueName)));
        }
        return pending is null ? [] : pending;
    }

    /// <summary>Moves to the object's next member name; false at the object's end.</summary>
    private static bool Member(ref Utf8JsonReader r)
    {
        if (!r.Read()) throw Malformed("an object");
        return r.TokenType == JsonTokenType.PropertyName;
    }

    private static void Expect(ref Utf8JsonReader r, JsonTokenType token)
    {
        if (!r.Read() || r.TokenType != token) throw Malformed($"a {token}");
    }

    private static void Skip(ref Utf8JsonReader r)
    {
        r.Read();
        r.Skip();
    }

    private static string? Text(ref Utf8JsonReader r)
    {
        r.Read();
        return r.TokenType == JsonTokenType.Null ? null : r.GetString();
    }

    private static double? Number(ref Utf8JsonReader r)
    {
        r.Read();
        return r.TokenType == JsonTokenType.Null ? null : r.GetDouble();
    }

    /// <summary>A date as the serializer writes DateOnly (yyyy-MM-dd).</summary>
    private static DateOnly? Date(ref Utf8JsonReader r)
    {
        r.Read();
        if (r.TokenType == JsonTokenType.Null) return null;
        var s = r.ValueSpan;
        if (r.ValueIsEscaped || s.Length != 10 || s[4] != '-' || s[7] != '-') throw Malformed("a date");
        static int Digits(ReadOnlySpan<byte> d)
        {
            var n = 0;
            foreach (var b in d) n = b is >= (byte)'0' and <= (byte)'9' ? n * 10 + (b - '0') : throw Malformed("a date");
            return n;
        }
        return new DateOnly(Digits(s[..4]), Digits(s[5..7]), Digits(s[8..]));
    }

    private static T Required<T>(T? value, byte[] name) where T : class =>
        value ?? throw Malformed($"member {Encoding.UTF8.GetString(name)}");

    private static T Required<T>(T? value, byte[] name) where T : struct =>
        value ?? throw Malformed($"member {Encoding.UTF8.GetString(name)}");

    private static InvalidDataException Malformed(string what) => new($"A stored commitment view lacks or malforms {what}.");
}

/// <summary>Sorted runs merged into one sorted list.</summary>
public static class SortedRuns
{
    /// <summary>
    /// The elements of <paramref name="runs"/>, each already sorted by <paramref name="order"/>, in that order: the head
    /// of every run in a priority queue, so n elements in k runs take n log k comparisons. Ties go to the earlier run.
    /// </summary>
    public static List<T> Merge<T>(IReadOnlyList<T[]> runs, Comparison<T> order)
    {
        var merged = new List<T>(runs.Sum(r => r.Length));
        if (runs.Count == 1) { merged.AddRange(runs[0]); return merged; }
        var heads = new PriorityQueue<(int Run, int At), (T Value, int Run)>(runs.Count,
            Comparer<(T Value, int Run)>.Create((a, b) => order(a.Value, b.Value) is var c && c != 0 ? c : a.Run.CompareTo(b.Run)));
        for (var r = 0; r < runs.Count; r++)
            if (runs[r].Length > 0) heads.Enqueue((r, 0), (runs[r][0], r));
        while (heads.TryDequeue(out var head, out _))
        {
            var run = runs[head.Run];
            merged.Add(run[head.At]);
            if (head.At + 1 < run.Length) heads.Enqueue((head.Run, head.At + 1), (run[head.At + 1], head.Run));
        }
        return merged;
    }
}
