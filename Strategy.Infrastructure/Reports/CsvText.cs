using System.Globalization;

namespace Strategy.Infrastructure.Reports;

/// <summary>
/// Cells of the CSV files the service writes. Text that starts like a spreadsheet formula (=, +, -, @, tab, CR: OWASP's
/// list) gets an apostrophe in front, which a spreadsheet shows as text instead of running it; a cell that is a plain
/// number is left as it is, so numbers stay numeric.
/// </summary>
public static class CsvText
{
    private static readonly char[] FormulaStarts = ['=', '+', '-', '@', '\t', '\r'];

    public static string Cell(string? value)
    {
        if (string.IsNullOrEmpty(value) || Array.IndexOf(FormulaStarts, value[0]) < 0) return value ?? "";
        return double.TryParse(value, NumberStyles.Float, CultureInfo.InvariantCulture, out _) ? value : "'" + value;
    }
}
