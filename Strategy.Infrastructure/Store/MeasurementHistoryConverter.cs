using System.Globalization;
using System.Text.Json;
using System.Text.Json.Serialization;
using Strategy.Domain.Commitments;

namespace Strategy.Infrastructure.Store;

/// <summary>
/// A commitment's value history as the stored views keep it: <c>[["2025-03-01", 12.5], ...]</c> rather than
/// <c>[{"asOf": "2025-03-01", "value": 12.5}, ...]</c>. The history is the part of a view that grows with time (35 values
/// per commitment at the benchmark's L size, 1.4 kB of a 2.7 kB view), and a current report reads every view of its
/// plan, so its cost grew with history through it. Reads both forms, so views written before stay readable.
/// Used by the store's serializer only; the API shows no value history.
/// </summary>
public sealed class MeasurementHistoryConverter : JsonConverter<IReadOnlyList<Measurement>>
{
    private const string DateFormat = "yyyy-MM-dd";

    public override IReadOnlyList<Measurement> Read(ref Utf8JsonReader reader, Type typeToConvert, JsonSerializerOptions options)
    {
        if (reader.TokenType != JsonTokenType.StartArray) throw new JsonException("A value history is an array.");
        var values = new List<Measurement>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            values.Add(reader.TokenType switch
            {
                JsonTokenType.StartArray => ReadPair(ref reader),
                JsonTokenType.StartObject => ReadObject(ref reader),
                _ => throw new JsonException("A measurement is [asOf, value] or {\"asOf\", \"value\"}."),
            });
        return values;
    }

    private static Measurement ReadPair(ref Utf8JsonReader reader)
    {
        reader.Read();
        var asOf = Date(ref reader);
        reader.Read();
        var value = reader.GetDouble();
        if (!reader.Read() || reader.TokenType != JsonTokenType.EndArray) throw new JsonException("A measurement pair has two items.");
        return new Measurement(asOf, value);
    }

    private static Measurement ReadObject(ref Utf8JsonReader reader)
    {
        DateOnly? asOf = null;
        double? value = null;
        while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
        {
            var name = reader.GetString();
            reader.Read();
            if (string.Equals(name, "asOf", StringComparison.OrdinalIgnoreCase)) asOf = Date(ref reader);
            else if (string.Equals(name, "value", StringComparison.OrdinalIgnoreCase)) value = reader.GetDouble();
            else reader.Skip();
        }
        return new Measurement(asOf ?? throw new JsonException("A measurement has an asOf."), value ?? throw new JsonException("A measurement has a value."));
    }

    private static DateOnly Date(ref Utf8JsonReader reader) =>
        DateOnly.ParseExact(reader.GetString() ?? throw new JsonException("asOf is a date."), DateFormat, CultureInfo.InvariantCulture);

    public override void Write(Utf8JsonWriter writer, IReadOnlyList<Measurement> value, JsonSerializerOptions options)
    {
        writer.WriteStartArray();
        foreach (var m in value)
        {
            writer.WriteStartArray();
            writer.WriteStringValue(m.AsOf.ToString(DateFormat, CultureInfo.InvariantCulture));
            writer.WriteNumberValue(m.Value);
            writer.WriteEndArray();
        }
        writer.WriteEndArray();
    }
}
