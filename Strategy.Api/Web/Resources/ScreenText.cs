namespace Strategy.Api.Web.Resources;

/// <summary>
/// The screens' words: <c>ScreenText.resx</c> beside this file is the English source, <c>ScreenText.{km,lo,my,th,vi,zh}.resx</c>
/// the members' languages (README, "Translating"). Read through <see cref="Words"/>.
/// </summary>
public sealed class ScreenText;
