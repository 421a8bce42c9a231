using System.Buffers.Binary;
using System.Text;
using Strategy.Infrastructure.Audit;

namespace Strategy.Tests.Audit;

/// <summary>
/// RFC 8785 (JSON Canonicalization Scheme) on its own test vectors: Appendix B's numbers, section 3.2's examples, and
/// the structures of the reference implementation's test data (github.com/cyberphone/json-canonicalization, testdata/).
/// </summary>
public sealed class JsonCanonicalTests
{
    private static double Double(string ieeeHex) =>
        BitConverter.Int64BitsToDouble(BinaryPrimitives.ReadInt64BigEndian(Convert.FromHexString(ieeeHex.PadLeft(16, '0'))));

    /// <summary>RFC 8785, Appendix B: IEEE 754 doubles (hex) and how ECMAScript prints them.</summary>
    public static TheoryData<string, string> AppendixB => new()
    {
        { "0000000000000000", "0" },
        { "8000000000000000", "0" }, // minus zero
        { "0000000000000001", "5e-324" }, // min pos number
        { "8000000000000001", "-5e-324" }, // min neg number
        { "7fefffffffffffff", "1.7976931348623157e+308" }, // max pos number
        { "ffefffffffffffff", "-1.7976931348623157e+308" }, // max neg number
        { "4340000000000000", "9007199254740992" }, // max pos int
        { "c340000000000000", "-9007199254740992" }, // max neg int
        { "4430000000000000", "295147905179352830000" }, // ~2**68
        { "44b52d02c7e14af5", "9.999999999999997e+22" },
        { "44b52d02c7e14af6", "1e+23" },
        { "44b52d02c7e14af7", "1.0000000000000001e+23" },
        { "444b1ae4d6e2ef4e", "999999999999999700000" },
        { "444b1ae4d6e2ef4f", "999999999999999900000" },
        { "444b1ae4d6e2ef50", "1e+21" },
        { "3eb0c6f7a0b5ed8c", "9.999999999999997e-7" },
        { "3eb0c6f7a0b5ed8d", "0.000001" },
        { "41b3de4355555553", "333333333.3333332" },
        { "41b3de4355555554", "333333333.33333325" },
        { "41b3de4355555555", "333333333.3333333" },
        { "41b3de4355555556", "333333333.3333334" },
        { "41b3de4355555557", "333333333.33333343" },
        { "becbf647612f3696", "-0.0000033333333333333333" },
        { "43143ff3c1cb0959", "1424953923781206.2" }, // round to even
        // The reference test file's sample lines (testdata/README.md).
        { "4340000000000001", "9007199254740994" },
        { "4340000000000002", "9007199254740996" },
    };

    /// <summary>
    /// Random doubles and short decimals, printed by Node's JSON.stringify (the ECMAScript the scheme follows). The same
    /// check over 2 million such values found no difference when this was written.
    /// </summary>
    public static TheoryData<string, string> EcmaScript => new()
    {
        { "628752bdf544b7b4", "4.2978965846886516e+166" }, { "548f31bc7e21ef8c", "2.1321786510366273e+99" },
        { "fc5a67a22cc08a4a", "-1.0292929845982793e+291" }, { "3f49379440ea2b02", "0.000769565" },
        { "ab2f05886277b04e", "-1.1080409916451882e-100" }, { "3ee1769ac80a1dd0", "0.00000832715" },
        { "8909fa7cd810c537", "-4.0283514774088436e-265" }, { "3f82d6f0e80a1502", "0.00919903" },
        { "fb47408c309f587d", "-6.915264808498908e+285" }, { "406ca5916872b021", "229.174" },
        { "820572fb0168f57c", "-6.405665401843916e-299" }, { "8a890b2de5350b1a", "-6.51525893886926e-258" },
        { "40f879a000000000", "100250" }, { "3ec3096f59f2ed1f", "0.00000226937" },
        { "408e17e560418937", "962.987" }, { "9273185c889650ce", "-8.452136847155576e-220" },
        { "3f1806d7c18fb04b", "0.0000916547" }, { "3fa4ec6d7c045d5d", "0.0408663" },
        { "2f61f41745ab2b0c", "1.8926914103383163e-80" }, { "412ce19e00000000", "946383" },
        { "2e0209b937a06054", "4.5337672566312385e-87" }, { "485d1dda5d866c10", "3.9631480280856997e+40" },
    };

    [Theory]
    [MemberData(nameof(AppendixB))]
    [MemberData(nameof(EcmaScript))]
    public void A_number_is_printed_as_ECMAScript_prints_it(string ieeeHex, string expected)
    {
        JsonCanonical.Number(Double(ieeeHex)).ShouldBe(expected);
        // Read from JSON text, in any spelling of the same double, it comes out the same.
        JsonCanonical.Canonicalize(expected).ShouldBe(expected);
        JsonCanonical.Canonicalize(Double(ieeeHex).ToString("E20", System.Globalization.CultureInfo.InvariantCulture)).ShouldBe(expected);
    }

    [Theory]
    [InlineData("7fffffffffffffff")] // NaN
    [InlineData("7ff0000000000000")] // Infinity
    [InlineData("fff0000000000000")] // -Infinity
    public void NaN_and_infinity_have_no_JSON_form(string ieeeHex) =>
        Should.Throw<ArgumentOutOfRangeException>(() => JsonCanonical.Number(Double(ieeeHex)));

    /// <summary>RFC 8785 section 3.2.2's example: whitespace gone, numbers and strings in their canonical form, members sorted.</summary>
    [Fact]
    public void The_RFC_example_of_values_comes_out_as_the_RFC_prints_it()
    {
        const string input = """
            {
              "numbers": [333333333.33333329, 1E30, 4.50, 2e-3, 0.000000000000000000000000001],
              "string": "\u20ac$\u000F\u000aA'\u0042\u0022\u005c\\\"\/",
              "literals": [null, true, false]
            }
            """;
        JsonCanonical.Canonicalize(input).ShouldBe(
            "{\"literals\":[null,true,false],\"numbers\":[333333333.3333333,1e+30,4.5,0.002,1e-27],\"string\":\"€$\\u000f\\nA'B\\\"\\\\\\\\\\\"/\"}");
    }

    /// <summary>RFC 8785 section 3.2.3's example: members sorted by UTF-16 code units (so U+1F602, a surrogate pair, before U+FB33).</summary>
    [Fact]
    public void Members_are_sorted_by_their_UTF16_code_units()
    {
        const string input = """
            {
              "\u20ac": "Euro Sign",
              "\r": "Carriage Return",
              "\ufb33": "Hebrew Letter Dalet With Dagesh",
              "1": "One",
              "\ud83d\ude00": "Emoji: Grinning Face",
              "\u0080": "Control",
              "\u00f6": "Latin Small Letter O With Diaeresis"
            }
            """;
        JsonCanonical.Canonicalize(input).ShouldBe(
            "{\"\\r\":\"Carriage Return\",\"1\":\"One\",\"\u0080\":\"Control\",\"ö\":\"Latin Small Letter O With Diaeresis\"," +
            "\"€\":\"Euro Sign\",\"\ud83d\ude00\":\"Emoji: Grinning Face\",\"\ufb33\":\"Hebrew Letter Dalet With Dagesh\"}");
    }

    /// <summary>The reference implementation's testdata/input and testdata/output files.</summary>
    public static TheoryData<string, string, string> ReferenceData => new()
    {
        { "arrays", """[ 56, { "d": true, "10": null, "1": [ ] } ]""", """[56,{"1":[],"10":null,"d":true}]""" },
        {
            "french",
            """{ "peach": "This sorting order", "péché": "is wrong according to French", "pêche": "but canonicalization MUST", "sin": "ignore locale" }""",
            """{"peach":"This sorting order","péché":"is wrong according to French","pêche":"but canonicalization MUST","sin":"ignore locale"}"""
        },
        {
            "structures",
            """{ "1": {"f": {"f": "hi","F": 5} ,"\n": 56.0}, "10": { }, "": "empty", "a": { }, "111": [ {"e": "yes","E": "no" } ], "A": { } }""",
            """{"":"empty","1":{"\n":56,"f":{"F":5,"f":"hi"}},"10":{},"111":[{"E":"no","e":"yes"}],"A":{},"a":{}}"""
        },
        // Unicode is not normalized: A followed by a combining ring stays two code points.
        { "unicode", """{ "Unnormalized Unicode":"A\u030a" }""", "{\"Unnormalized Unicode\":\"A\u030a\"}" },
        {
            "weird",
            """
            { "\u20ac": "Euro Sign", "\r": "Carriage Return", "\u000a": "Newline", "1": "One", "\u0080": "Control\u007f",
              "\ud83d\ude02": "Smiley", "\u00f6": "Latin Small Letter O With Diaeresis", "\ufb33": "Hebrew Letter Dalet With Dagesh",
              "</script>": "Browser Challenge" }
            """,
            "{\"\\n\":\"Newline\",\"\\r\":\"Carriage Return\",\"1\":\"One\",\"</script>\":\"Browser Challenge\",\"\u0080\":\"Control\u007f\"," +
            "\"ö\":\"Latin Small Letter O With Diaeresis\",\"€\":\"Euro Sign\",\"\ud83d\ude02\":\"Smiley\",\"\ufb33\":\"Hebrew Letter Dalet With Dagesh\"}"
        },
    };

    [Theory]
    [MemberData(nameof(ReferenceData))]
    public void The_reference_test_data_comes_out_as_expected(string name, string input, string expected)
    {
        var canonical = JsonCanonical.Canonicalize(input);
        canonical.ShouldBe(expected, name);
        JsonCanonical.Canonicalize(canonical).ShouldBe(canonical, $"{name}: canonicalizing the canonical form changes nothing");
    }

    [Fact]
    public void Control_characters_are_escaped_as_JSON_stringify_escapes_them_and_nothing_else_is()
    {
        var all = new StringBuilder();
        for (var c = 0; c < 0x80; c++) all.Append((char)c);
        all.Append("\u2028\u2029\u00e9\ud83d\ude02");
        var json = System.Text.Json.JsonSerializer.Serialize(all.ToString()); // escapes far more than JCS does
        JsonCanonical.Canonicalize(json).ShouldBe(
            "\"\\u0000\\u0001\\u0002\\u0003\\u0004\\u0005\\u0006\\u0007\\b\\t\\n\\u000b\\f\\r\\u000e\\u000f" +
            "\\u0010\\u0011\\u0012\\u0013\\u0014\\u0015\\u0016\\u0017\\u0018\\u0019\\u001a\\u001b\\u001c\\u001d\\u001e\\u001f" +
            " !\\\"#$%&'()*+,-./0123456789:;<=>?@ABCDEFGHIJKLMNOPQRSTUVWXYZ[\\\\]^_`abcdefghijklmnopqrstuvwxyz{|}~\u007f" +
            "\u2028\u2029\u00e9\ud83d\ude02\"");
    }

    [Fact]
    public void The_same_value_printed_in_different_ways_has_one_canonical_form()
    {
        // As PostgreSQL prints jsonb, as System.Text.Json writes it, and by hand.
        string[] spellings =
        [
            """{"a": 1, "b": [true, null, "x\u00e9"], "c": {"e": 2.50, "d": -0}}""",
            """{"c":{"d":0,"e":2.5},"b":[true,null,"x\u00e9"],"a":1.0}""",
            " { \"b\" : [ true , null , \"xé\" ] ,\n\t\"a\" : 1E0 , \"c\" : { \"e\" : 25e-1 , \"d\" : 0.0 } } ",
        ];
        spellings.Select(JsonCanonical.Canonicalize).Distinct().ShouldHaveSingleItem().ShouldBe("""{"a":1,"b":[true,null,"xé"],"c":{"d":0,"e":2.5}}""");
    }

    [Theory]
    [InlineData("""{"a":1,"a":2}""")] // which one counts is a parser's choice
    [InlineData("""{"x":{"b":1,"b":1}}""")]
    [InlineData("\"\\ud800\"")] // a lone surrogate
    [InlineData("{\"\\udc00\":1}")]
    [InlineData("{\"a\":1")] // not JSON
    [InlineData("")]
    public void Text_without_a_canonical_form_is_refused(string json) =>
        Should.Throw<FormatException>(() => JsonCanonical.Canonicalize(json));

    [Fact]
    public void A_number_beyond_the_double_range_keeps_its_text_so_every_stored_document_has_a_form()
    {
        JsonCanonical.Canonicalize("[1e400, -1E400, 1.5]").ShouldBe("[1e400,-1E400,1.5]");
        JsonCanonical.Canonicalize("[1e400,-1E400,1.5]").ShouldBe("[1e400,-1E400,1.5]");
    }
}
