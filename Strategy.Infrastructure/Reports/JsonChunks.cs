using System.Buffers;
using System.Security.Cryptography;

namespace Strategy.Infrastructure.Reports;

/// <summary>
/// A report's canonical JSON as written, in chunks of 64 kB: below the large object heap's 85,000 bytes, so a report of
/// 11 MB costs no large buffers. Serialized into one growing array, the same report rented arrays of up to 16 MB from
/// the shared pool as it grew (which the pool then kept) and copied the result into an exact 11 MB array: about
/// 45 MB of large objects per report (a dotnet-trace allocation profile of two reports at 20,000 commitments).
/// </summary>
public sealed class JsonChunks : IBufferWriter<byte>
{
    private const int ChunkSize = 64 * 1024;
    private readonly List<(byte[] Buffer, int Length)> full = [];
    private byte[] current = [];
    private int used;

    public long Length { get; private set; }

    public void Advance(int count)
    {
        if (count < 0 || used + count > current.Length) throw new ArgumentOutOfRangeException(nameof(count));
        used += count;
        Length += count;
    }

    public Memory<byte> GetMemory(int sizeHint = 0) => Reserve(sizeHint).AsMemory(used);

    public Span<byte> GetSpan(int sizeHint = 0) => Reserve(sizeHint).AsSpan(used);

    private byte[] Reserve(int sizeHint)
    {
        var needed = Math.Max(sizeHint, 1);
        if (current.Length - used >= needed) return current;
        if (used > 0) full.Add((current, used));
        current = new byte[Math.Max(ChunkSize, needed)];
        used = 0;
        return current;
    }

    /// <summary>Bytes written as they are (JSON punctuation between values written elsewhere).</summary>
    public void Write(ReadOnlySpan<byte> bytes)
    {
        bytes.CopyTo(GetSpan(bytes.Length));
        Advance(bytes.Length);
    }

    /// <summary>Another writer's bytes after these, taken over without copying; <paramref name="other"/> is not used again.</summary>
    public void Append(JsonChunks other)
    {
        if (used > 0) full.Add((current, used));
        (current, used) = ([], 0);
        foreach (var segment in other.full) full.Add(segment);
        if (other.used > 0) full.Add((other.current, other.used));
        Length += other.Length;
    }

    public IEnumerable<ReadOnlyMemory<byte>> Segments
    {
        get
        {
            foreach (var (buffer, length) in full) yield return buffer.AsMemory(0, length);
            if (used > 0) yield return current.AsMemory(0, used);
        }
    }

    public string Sha256()
    {
        using var hash = IncrementalHash.CreateHash(HashAlgorithmName.SHA256);
        foreach (var segment in Segments) hash.AppendData(segment.Span);
        return Convert.ToHexStringLower(hash.GetHashAndReset());
    }

    /// <summary>The bytes as a read-only stream, for a bytea parameter (Npgsql copies it to the wire chunk by chunk).</summary>
    public Stream OpenRead() => new SegmentStream([.. Segments], Length);

    private sealed class SegmentStream(IReadOnlyList<ReadOnlyMemory<byte>> segments, long length) : Stream
    {
        private int segment;
        private int offset;
        private long position;

        public override bool CanRead => true;
        public override bool CanSeek => true;
        public override bool CanWrite => false;
        public override long Length => length;

        public override long Position
        {
            get => position;
            set => Seek(value, SeekOrigin.Begin);
        }

        public override int Read(byte[] buffer, int offset, int count) => Read(buffer.AsSpan(offset, count));

        public override int Read(Span<byte> destination)
        {
            var copied = 0;
            while (copied < destination.Length && segment < segments.Count)
            {
                var source = segments[segment].Span[offset..];
                var n = Math.Min(source.Length, destination.Length - copied);
                source[..n].CopyTo(destination[copied..]);
                copied += n;
                offset += n;
                if (offset == segments[segment].Length) { segment++; offset = 0; }
            }
            position += copied;
            return copied;
        }

        public override long Seek(long to, SeekOrigin origin)
        {
            var target = origin switch { SeekOrigin.Begin => to, SeekOrigin.Current => position + to, _ => length + to };
            if (target < 0 || target > length) throw new ArgumentOutOfRangeException(nameof(to));
            (segment, offset, position) = (0, 0, 0);
            while (segment < segments.Count && position + segments[segment].Length <= target) position += segments[segment++].Length;
            offset = (int)(target - position);
            position = target;
            return position;
        }

        public override void Flush() { }
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
