using System.Security.Cryptography;
using Strategy.Infrastructure.Reports;

namespace Strategy.Tests.Domain;

/// <summary>A report's JSON in chunks reads back, hashes and seeks exactly as the same bytes in one array would.</summary>
public sealed class JsonChunksSpecs
{
    private static (JsonChunks Chunks, byte[] Expected) Written(params int[] writes)
    {
        var chunks = new JsonChunks();
        var expected = new List<byte>();
        var random = new Random(7);
        foreach (var size in writes)
        {
            var span = chunks.GetSpan(size)[..size];
            random.NextBytes(span);
            expected.AddRange(span.ToArray());
            chunks.Advance(size);
        }
        return (chunks, [.. expected]);
    }

    [Fact]
    public void Writes_across_chunk_boundaries_read_back_and_hash_as_one_array()
    {
        // Small writes that cross the 64 kB chunk size, and one larger than a chunk.
        var (chunks, expected) = Written([.. Enumerable.Repeat(1000, 200), 200_000, 3, 65_536]);
        chunks.Length.ShouldBe(expected.Length);
        using var read = new MemoryStream();
        chunks.OpenRead().CopyTo(read);
        read.ToArray().ShouldBe(expected);
        chunks.Sha256().ShouldBe(Convert.ToHexStringLower(SHA256.HashData(expected)));
    }

    [Fact]
    public void The_stream_seeks_to_any_position_and_reads_on_from_there()
    {
        var (chunks, expected) = Written([.. Enumerable.Repeat(30_000, 10)]);
        using var stream = chunks.OpenRead();
        foreach (var at in new long[] { 0, 1, 65_535, 65_536, 150_001, expected.Length - 1, expected.Length })
        {
            stream.Position = at;
            var rest = new byte[expected.Length - at];
            stream.ReadExactly(rest);
            rest.ShouldBe(expected[(int)at..]);
            stream.Read(new byte[1]).ShouldBe(0);
        }
        Should.Throw<ArgumentOutOfRangeException>(() => stream.Position = expected.Length + 1);
    }

    [Fact]
    public void An_empty_report_is_empty()
    {
        var chunks = new JsonChunks();
        chunks.Length.ShouldBe(0);
        chunks.OpenRead().Length.ShouldBe(0);
        chunks.Sha256().ShouldBe(Convert.ToHexStringLower(SHA256.HashData([])));
    }
}
