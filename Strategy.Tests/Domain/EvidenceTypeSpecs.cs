using System.IO.Compression;
using System.Text;
using Strategy.Domain.Commitments;

namespace Strategy.Tests.Domain;

/// <summary>What a file is, from its bytes: each allowed type from real bytes, and what must be refused whatever its name.</summary>
public class EvidenceTypeSpecs
{
    // ---- real files, built here ------------------------------------------------------------------------------------

    public static byte[] Pdf() => Encoding.ASCII.GetBytes(
        "%PDF-1.4\n1 0 obj << /Type /Catalog /Pages 2 0 R >> endobj\n2 0 obj << /Type /Pages /Kids [] /Count 0 >> endobj\n" +
        "trailer << /Root 1 0 R >>\n%%EOF\n");

    /// <summary>A 1x1 transparent PNG.</summary>
    public static byte[] Png() => Convert.FromBase64String("iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==");

    /// <summary>A JFIF header and the end-of-image marker.</summary>
    public static byte[] Jpeg() =>
        [0xFF, 0xD8, 0xFF, 0xE0, 0x00, 0x10, (byte)'J', (byte)'F', (byte)'I', (byte)'F', 0x00, 0x01, 0x01, 0x00, 0x00, 0x01, 0x00, 0x01, 0x00, 0x00, 0xFF, 0xD9];

    /// <summary>An Office Open XML package with the given parts (name and XML), as Word or Excel would zip it.</summary>
    public static byte[] Package(params (string Name, string Xml)[] parts)
    {
        using var buffer = new MemoryStream();
        using (var zip = new ZipArchive(buffer, ZipArchiveMode.Create, leaveOpen: true))
        {
            foreach (var (name, xml) in parts)
            {
                using var entry = zip.CreateEntry(name, CompressionLevel.Optimal).Open();
                entry.Write(Encoding.UTF8.GetBytes(xml));
            }
        }
        return buffer.ToArray();
    }

    private const string Rels =
        """<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"/>""";

    private const string Types = """<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">""" +
        """<Default Extension="xml" ContentType="application/xml"/>""";

    public static byte[] Docx() => Package(
        ("[Content_Types].xml", Types + """<Override PartName="/word/document.xml" """ +
            """ContentType="application/vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>"""),
        ("_rels/.rels", Rels),
        ("word/document.xml", """<?xml version="1.0" encoding="UTF-8"?><w:document xmlns:w="http://schemas.openxmlformats.org/wordprocessingml/2006/main">""" +
            """<w:body><w:p><w:r><w:t>Minutes of the dialogue</w:t></w:r></w:p></w:body></w:document>"""));

    public static byte[] Xlsx() => Package(
        ("[Content_Types].xml", Types + """<Override PartName="/xl/workbook.xml" """ +
            """ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/></Types>"""),
        ("_rels/.rels", Rels),
        ("xl/workbook.xml", """<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main">""" +
            """<sheets><sheet name="Values" sheetId="1"/></sheets></workbook>"""),
        ("xl/worksheets/sheet1.xml", """<?xml version="1.0" encoding="UTF-8"?>""" +
            """<worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData/></worksheet>"""));

    /// <summary>The start of a Windows executable: the DOS header, its stub, then the PE header.</summary>
    public static byte[] WindowsExecutable()
    {
        var bytes = new byte[512];
        bytes[0] = (byte)'M';
        bytes[1] = (byte)'Z';
        bytes[2] = 0x90;
        bytes[0x3C] = 0x80; // e_lfanew: where the PE header starts
        Encoding.ASCII.GetBytes("This program cannot be run in DOS mode.").CopyTo(bytes, 0x4E);
        Encoding.ASCII.GetBytes("PE\0\0").CopyTo(bytes, 0x80);
        return bytes;
    }

    /// <summary>The start of a 64-bit Linux executable.</summary>
    public static byte[] LinuxExecutable() => [0x7F, (byte)'E', (byte)'L', (byte)'F', 0x02, 0x01, 0x01, 0x00, 0, 0, 0, 0, 0, 0, 0, 0, 0x02, 0x00, 0x3E, 0x00];

    // ---- the allowed types ---------------------------------------------------------------------------------------------

    [Fact]
    public void A_pdf_is_recognised_by_its_signature_whatever_its_name() =>
        EvidenceTypes.Detect(Pdf(), "minutes.txt").ShouldBe(EvidenceTypes.Pdf);

    [Fact]
    public void A_png_is_recognised_by_its_eight_byte_signature() =>
        EvidenceTypes.Detect(Png(), "photo.jpg").ShouldBe(EvidenceTypes.Png);

    [Fact]
    public void A_jpeg_is_recognised_by_its_start_of_image_marker() =>
        EvidenceTypes.Detect(Jpeg(), "photo").ShouldBe(EvidenceTypes.Jpeg);

    [Fact]
    public void A_docx_is_a_zip_with_the_content_types_part_and_a_word_document() =>
        EvidenceTypes.Detect(Docx(), "report.xlsx").ShouldBe(EvidenceTypes.Docx);

    [Fact]
    public void An_xlsx_is_a_zip_with_the_content_types_part_and_a_workbook() =>
        EvidenceTypes.Detect(Xlsx(), "values.docx").ShouldBe(EvidenceTypes.Xlsx);

    [Fact]
    public void Utf8_text_is_csv_when_its_name_ends_in_csv_and_plain_text_otherwise()
    {
        var text = Encoding.UTF8.GetBytes("country,value,note\r\nKH,3,\"Phnom Penh\"\r\nTH,4,\tกรุงเทพฯ\r\n\f");

        EvidenceTypes.Detect(text, "values.csv").ShouldBe(EvidenceTypes.Csv);
        EvidenceTypes.Detect(text, "VALUES.CSV").ShouldBe(EvidenceTypes.Csv);
        EvidenceTypes.Detect(text, "values.txt").ShouldBe(EvidenceTypes.Text);
        EvidenceTypes.Detect(text, "values").ShouldBe(EvidenceTypes.Text);
    }

    [Fact]
    public void Text_in_any_script_with_a_byte_order_mark_is_plain_text() =>
        EvidenceTypes.Detect([0xEF, 0xBB, 0xBF, .. Encoding.UTF8.GetBytes("របាយការណ៍ 报告 ລາຍງານ အစီရင်ခံစာ báo cáo 🌏\n")], "notes.txt")
            .ShouldBe(EvidenceTypes.Text);

    // ---- what is refused -------------------------------------------------------------------------------------------------

    [Fact]
    public void A_windows_executable_renamed_pdf_is_refused() =>
        EvidenceTypes.Detect(WindowsExecutable(), "minutes.pdf").ShouldBeNull();

    [Fact]
    public void A_linux_executable_is_refused() =>
        EvidenceTypes.Detect(LinuxExecutable(), "values.csv").ShouldBeNull();

    [Fact]
    public void An_executable_signature_is_refused_even_when_the_rest_would_pass_for_text() =>
        EvidenceTypes.Detect("MZ just text"u8, "notes.txt").ShouldBeNull();

    [Fact]
    public void An_empty_file_is_refused() =>
        EvidenceTypes.Detect([], "empty.txt").ShouldBeNull();

    [Theory]
    [InlineData(new byte[] { 0x61, 0xC3, 0x28, 0x62 })] // a lead byte without its continuation
    [InlineData(new byte[] { 0x61, 0xFF, 0x62 })]
    [InlineData(new byte[] { 0xC0, 0xAF })] // an overlong '/'
    [InlineData(new byte[] { 0xED, 0xA0, 0x80 })] // an encoded surrogate
    [InlineData(new byte[] { 0x61, 0xE2, 0x82 })] // truncated at the end
    public void Text_that_is_not_valid_utf8_is_refused(byte[] bytes) =>
        EvidenceTypes.Detect(bytes, "notes.txt").ShouldBeNull();

    [Fact]
    public void Text_in_utf16_is_refused() =>
        EvidenceTypes.Detect([0xFF, 0xFE, .. Encoding.Unicode.GetBytes("country,value\r\n")], "values.csv").ShouldBeNull();

    [Fact]
    public void Text_with_a_control_character_other_than_tab_cr_lf_ff_is_refused()
    {
        foreach (var text in new[] { "a\0b", "colour \u001b[31mred", "bell \u0007", "delete \u007f", "next line \u0085 (a C1 control)" })
            EvidenceTypes.Detect(Encoding.UTF8.GetBytes(text), "notes.txt").ShouldBeNull(string.Join(" ", text.Select(c => $"U+{(int)c:X4}")));
    }

    [Fact]
    public void A_zip_that_is_no_office_document_is_refused() =>
        EvidenceTypes.Detect(Package(("notes.txt", "hello"), ("word/document.xml", "<w:document/>")), "notes.docx").ShouldBeNull();

    [Fact]
    public void A_package_that_claims_to_be_both_word_and_excel_is_refused() =>
        EvidenceTypes.Detect(Package(("[Content_Types].xml", "<Types/>"), ("word/document.xml", "<w/>"), ("xl/workbook.xml", "<x/>")), "both.docx")
            .ShouldBeNull();

    [Fact]
    public void A_truncated_or_damaged_docx_is_refused_and_never_throws()
    {
        var docx = Docx();
        var random = new Random(20261128);
        // The zip signature stays, so every variant reaches the archive reader.
        for (var length = 4; length < docx.Length; length += 7)
            EvidenceTypes.Detect(docx.AsSpan(0, length), "cut.docx").ShouldBeNull($"cut to {length} bytes");
        for (var attempt = 0; attempt < 300; attempt++)
        {
            var damaged = docx.ToArray();
            for (var flips = random.Next(1, 8); flips > 0; flips--) damaged[random.Next(4, damaged.Length)] = (byte)random.Next(256);
            Should.NotThrow(() => EvidenceTypes.Detect(damaged, "damaged.docx"));
        }
    }
}
