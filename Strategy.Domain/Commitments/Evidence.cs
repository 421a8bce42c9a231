using System.IO.Compression;

namespace Strategy.Domain.Commitments;

/// <summary>
/// A file uploaded as evidence for a commitment. The SHA-256 (lower-case hex) is recorded in the event, so the audit
/// chain covers the file's content as well as its name, size and type.
/// </summary>
public sealed record EvidenceUploaded(Guid CommitmentId, Guid EvidenceId, string Name, long Size, string ContentType, string Sha256) : IDomainEvent;

/// <summary>
/// Who may add evidence to a commitment, and what its file may be called. The same rules as any write to a commitment:
/// reviewers write nothing, a focal point acts for its own country only, a withdrawn commitment accepts nothing more.
/// </summary>
public static class EvidenceDecisions
{
    public const long MaxBytes = 10 * 1024 * 1024;
    public const int MaxNameLength = 255;

    public static Decision Upload(string commitmentCountry, bool withdrawn, Guid commitmentId, Guid evidenceId, string name, long size,
        string contentType, string sha256, Actor actor)
    {
        if (actor.Role == Role.Reviewer) return Rejection.Forbidden("Reviewers cannot add evidence.");
        if (!actor.MayActFor(commitmentCountry)) return Rejection.Forbidden($"A focal point for {actor.Country} cannot act for {commitmentCountry}.");
        if (withdrawn) return Rejection.Conflict("The commitment was withdrawn and accepts no further evidence.");
        if (FileName(name) is not { } fileName)
            return Rejection.Invalid("file", $"Name the file with 1-{MaxNameLength} characters, without control characters; '.' and '..' are not names.");
        if (size is <= 0 or > MaxBytes) return Rejection.Invalid("file", $"Send a file of 1 byte to {MaxBytes} bytes.");
        return Decision.Accept(new EvidenceUploaded(commitmentId, evidenceId, fileName, size, contentType, sha256));
    }

    /// <summary>
    /// The name a file is recorded under: the last segment of a path some clients send (C:\scans\minutes.pdf), or null
    /// when that is no usable name. It ends up in a Content-Disposition header and in other people's file systems.
    /// </summary>
    public static string? FileName(string? name)
    {
        if (name is null) return null;
        var last = name[(name.LastIndexOfAny(['/', '\\']) + 1)..];
        if (last.Length is 0 or > MaxNameLength || string.IsNullOrWhiteSpace(last) || last is "." or "..") return null;
        for (var i = 0; i < last.Length; i++)
        {
            if (char.IsControl(last[i])) return null;
            // A lone surrogate is not text: it cannot be stored as JSON by PostgreSQL nor encoded in a header.
            if (char.IsHighSurrogate(last[i]) && i + 1 < last.Length && char.IsLowSurrogate(last[i + 1])) i++;
            else if (char.IsSurrogate(last[i])) return null;
        }
        return last;
    }
}

/// <summary>
/// The file types evidence may have, recognised from the bytes themselves: a client's declared type and the file's
/// extension are not trusted (only CSV and plain text, which have no signature, are told apart by the name).
/// </summary>
public static class EvidenceTypes
{
    public const string Pdf = "application/pdf";
    public const string Png = "image/png";
    public const string Jpeg = "image/jpeg";
    public const string Docx = "application/vnd.openxmlformats-officedocument.wordprocessingml.document";
    public const string Xlsx = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet";
    public const string Csv = "text/csv";
    public const string Text = "text/plain";

    /// <summary>Every type allowed, as a person reads them (for the answer that refuses a file).</summary>
    public const string AllowedNames = "PDF, PNG, JPEG, DOCX, XLSX, CSV or plain text (UTF-8)";

    public static readonly IReadOnlyList<string> Allowed = [Pdf, Png, Jpeg, Docx, Xlsx, Csv, Text];

    private static ReadOnlySpan<byte> PngSignature => [0x89, (byte)'P', (byte)'N', (byte)'G', 0x0D, 0x0A, 0x1A, 0x0A];
    private static ReadOnlySpan<byte> JpegSignature => [0xFF, 0xD8, 0xFF];
    private static ReadOnlySpan<byte> ZipSignature => [(byte)'P', (byte)'K', 0x03, 0x04];
    private static ReadOnlySpan<byte> ElfSignature => [0x7F, (byte)'E', (byte)'L', (byte)'F'];

    /// <summary>The content type of an allowed file, or null when the file is empty or of no allowed type.</summary>
    public static string? Detect(ReadOnlySpan<byte> bytes, string name)
    {
        if (bytes.IsEmpty) return null;
        // Executables are refused by their own signature, whatever else the bytes might pass for.
        if (bytes.StartsWith("MZ"u8) || bytes.StartsWith(ElfSignature)) return null;
        if (bytes.StartsWith("%PDF-"u8)) return Pdf;
        if (bytes.StartsWith(PngSignature)) return Png;
        if (bytes.StartsWith(JpegSignature)) return Jpeg;
        if (bytes.StartsWith(ZipSignature)) return OfficeDocument(bytes);
        if (IsText(bytes)) return name.EndsWith(".csv", StringComparison.OrdinalIgnoreCase) ? Csv : Text;
        return null;
    }

    /// <summary>DOCX or XLSX by the parts an Office Open XML package must have; any other ZIP, or a damaged one, is null.</summary>
    private static string? OfficeDocument(ReadOnlySpan<byte> bytes)
    {
        try
        {
            using var zip = new ZipArchive(new MemoryStream(bytes.ToArray(), writable: false), ZipArchiveMode.Read);
            var names = zip.Entries.Select(e => e.FullName).ToHashSet(StringComparer.OrdinalIgnoreCase);
            if (!names.Contains("[Content_Types].xml")) return null;
            var word = names.Contains("word/document.xml");
            var excel = names.Contains("xl/workbook.xml");
            return word == excel ? null : word ? Docx : Xlsx;
        }
        catch (Exception e) when (e is InvalidDataException or IOException or ArgumentException or NotSupportedException or OverflowException)
        {
            // The central directory of a damaged or crafted archive fails to parse in any of these ways.
            return null;
        }
    }

    /// <summary>UTF-8 text: valid, and no control characters but tab, line feed, form feed and carriage return.</summary>
    private static bool IsText(ReadOnlySpan<byte> bytes)
    {
        if (!System.Text.Unicode.Utf8.IsValid(bytes)) return false;
        for (var i = 0; i < bytes.Length; i++)
        {
            var b = bytes[i];
            if (b < 0x20 && b is not ((byte)'\t' or (byte)'\n' or (byte)'\f' or (byte)'\r')) return false;
            if (b == 0x7F) return false;
            // The C1 controls U+0080-U+009F are C2 80 to C2 9F; in valid UTF-8 a C2 always leads a pair.
            if (b == 0xC2 && bytes[i + 1] < 0xA0) return false;
        }
        return true;
    }
}
