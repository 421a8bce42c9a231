using System.Runtime.CompilerServices;
using System.Text.Json;
using System.Text.Json.Serialization;
using System.Text.Json.Serialization.Metadata;

namespace Strategy.Infrastructure.Reports;

/// <summary>
/// A report's content as the bytes <see cref="JsonSerializer"/> gives with <see cref="ReportGenerator.CanonicalJson"/>,
/// with the elements of its long lists (down to the lists inside the elements of its members' lists) serialized in
/// parts on all cores: at 20,000
/// commitments serializing the 12 MB content on one thread took as long as PostgreSQL sending the plan's views. The
/// object's members are written in the serializer's own order (its metadata's), so the bytes, and the hash, are the same;
/// ReportGeneratorTests hold the two equal.
/// </summary>
public static class CanonicalJsonWriter
{
    public static async Task<JsonChunks> WriteAsync(object content, JsonSerializerOptions options)
    {
        var json = new JsonChunks();
        var info = options.GetTypeInfo(content.GetType());
        if (!Splittable(info, options))
        {
            await using var writer = Writer(json, options);
            JsonSerializer.Serialize(writer, content, Fastest(info, options));
            return json;
        }
        // Every part is started before anything is written, so they all run while the members are written in order.
        var plan = Plan(content, info, options, depth: 2);
        await WriteAsync(json, plan, options);
        return json;
    }

    private const int PartsPerCore = 2;

    // Shorter lists are written in place: a part's task costs more than it saves.
    private const int ShortestSplit = 64;

    /// <summary>A value as it will be written: whole, an object of planned members, or a list in parts.</summary>
    private abstract record Planned;

    private sealed record Whole(object? Value, JsonTypeInfo Info) : Planned;

    private sealed record Members(IReadOnlyList<(byte[] Name, Planned Value)> Items) : Planned;

    private sealed record Parts(IReadOnlyList<Task<JsonChunks>> Items) : Planned;

    private sealed record Elementwise(IReadOnlyList<Planned> Items) : Planned;

    private static Planned Plan(object? value, JsonTypeInfo info, JsonSerializerOptions options, int depth)
    {
        if (value is null) return new Whole(null, info);
        if (value is IReadOnlyList<object> list && ElementType(info.Type) is { } elementType)
        {
            var elementInfo = options.GetTypeInfo(elementType);
            if (list.Count >= ShortestSplit)
            {
                var parts = Math.Min(list.Count, Environment.ProcessorCount * PartsPerCore);
                var fastest = Fastest(elementInfo, options);
                return new Parts([.. Enumerable.Range(0, parts).Select(p =>
                    Task.Run(() => Elements(list, p * list.Count / parts, (p + 1) * list.Count / parts, fastest, options)))]);
            }
            // A short list of objects with long lists inside (the indicators, each with its commitments' rows): the
            // elements are planned one by one, at the same depth, so their own lists are split.
            if (depth > 0 && Splittable(elementInfo, options)) return new Elementwise([.. list.Select(e => Plan(e, elementInfo, options, depth))]);
        }
        if (depth > 0 && Splittable(info, options))
            return new Members([.. info.Properties.Select(p => (Name(p.Name, options), Plan(p.Get!(value), options.GetTypeInfo(p.PropertyType), options, depth - 1)))]);
        return new Whole(value, Fastest(info, options));
    }

    /// <summary>
    /// The metadata to write a value of <paramref name="info"/>'s type with: from the same options without their
    /// converters when none of them converts any type the value's JSON is made of, since the bytes are then the same.
    /// The serializer runs its generated writers (its fast path) only with options that have no converters, and the
    /// canonical options need one for enums: the long lists (indicator rows, attention items) have none, and their
    /// writing took a third less time this way.
    /// </summary>
    private static JsonTypeInfo Fastest(JsonTypeInfo info, JsonSerializerOptions options)
    {
        if (options.Converters.Count == 0) return info;
        var plain = WithoutConverters.GetValue(options, o =>
        {
            var copy = new JsonSerializerOptions(o);
            copy.Converters.Clear();
            copy.MakeReadOnly();
            return copy;
        });
        return Unconverted(info.Type, options, []) ? plain.GetTypeInfo(info.Type) : info;
    }

    private static readonly ConditionalWeakTable<JsonSerializerOptions, JsonSerializerOptions> WithoutConverters = new();

    /// <summary>Whether no converter of <paramref name="options"/> converts <paramref name="type"/> or a type its JSON is made of.</summary>
    private static bool Unconverted(Type type, JsonSerializerOptions options, HashSet<Type> seen)
    {
        if (!seen.Add(type)) return true;
        // A member typed object is written as whatever it holds at run time, which metadata cannot tell.
        if (type == typeof(object)) return false;
        if (options.Converters.Any(c => c.CanConvert(type))) return false;
        var info = options.GetTypeInfo(type);
        return info.Kind switch
        {
            JsonTypeInfoKind.Object => info.Properties.All(p => p.CustomConverter is null && Unconverted(p.PropertyType, options, seen)),
            JsonTypeInfoKind.Enumerable => info.ElementType is { } e && Unconverted(e, options, seen),
            JsonTypeInfoKind.Dictionary => info.KeyType is { } k && info.ElementType is { } v && Unconverted(k, options, seen) && Unconverted(v, options, seen),
            _ => Nullable.GetUnderlyingType(type) is not { } underlying || Unconverted(underlying, options, seen),
        };
    }

    /// <summary>
    /// An object the serializer writes as all its properties, each as its own type's metadata writes it: one whose
    /// members may be written one by one. Anything else (a converter of its own, whose kind is not Object; members left
    /// out or handled specially) is written whole.
    /// </summary>
    private static bool Splittable(JsonTypeInfo info, JsonSerializerOptions options) =>
        info.Kind == JsonTypeInfoKind.Object && options.DefaultIgnoreCondition == JsonIgnoreCondition.Never
        && info.PolymorphismOptions is null && info.NumberHandling is null
        && info.Properties.All(p => p.Get is not null && p.ShouldSerialize is null && p.CustomConverter is null && !p.IsExtensionData && p.NumberHandling is null);

    private static Type? ElementType(Type listType) =>
        listType.IsGenericType && listType.GetGenericTypeDefinition() == typeof(IReadOnlyList<>) && !listType.GetGenericArguments()[0].IsValueType
            ? listType.GetGenericArguments()[0]
            : null;

    private static byte[] Name(string name, JsonSerializerOptions options) =>
        [(byte)'"', .. JsonEncodedText.Encode(name, options.Encoder).EncodedUtf8Bytes, (byte)'"', (byte)':'];

    /// <summary>Elements [from, to) of a list, each as the serializer writes it, separated by commas.</summary>
    private static JsonChunks Elements(IReadOnlyList<object> list, int from, int to, JsonTypeInfo elementInfo, JsonSerializerOptions options)
    {
        var part = new JsonChunks();
        using var writer = Writer(part, options);
        for (var i = from; i < to; i++)
        {
            if (i > from) part.Write(","u8);
            JsonSerializer.Serialize(writer, list[i], elementInfo);
            writer.Flush();
            writer.Reset();
        }
        return part;
    }

    private static async Task WriteAsync(JsonChunks json, Planned planned, JsonSerializerOptions options)
    {
        switch (planned)
        {
            case Whole whole:
                await using (var writer = Writer(json, options)) JsonSerializer.Serialize(writer, whole.Value, whole.Info);
                break;
            case Members members:
                json.Write("{"u8);
                for (var i = 0; i < members.Items.Count; i++)
                {
                    if (i > 0) json.Write(","u8);
                    json.Write(members.Items[i].Name);
                    await WriteAsync(json, members.Items[i].Value, options);
                }
                json.Write("}"u8);
                break;
            case Elementwise elements:
                json.Write("["u8);
                for (var i = 0; i < elements.Items.Count; i++)
                {
                    if (i > 0) json.Write(","u8);
                    await WriteAsync(json, elements.Items[i], options);
                }
                json.Write("]"u8);
                break;
            case Parts parts:
                json.Write("["u8);
                var first = true;
                foreach (var task in parts.Items)
                {
                    var part = await task;
                    if (part.Length == 0) continue;
                    if (!first) json.Write(","u8);
                    json.Append(part);
                    first = false;
                }
                json.Write("]"u8);
                break;
        }
    }

    // The options the serializer would give its own writer, so the bytes are the same.
    private static Utf8JsonWriter Writer(JsonChunks output, JsonSerializerOptions options) =>
        new(output, new JsonWriterOptions { Encoder = options.Encoder, Indented = options.WriteIndented });
}
