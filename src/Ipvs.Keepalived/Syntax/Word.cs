namespace Ipvs.Keepalived.Syntax;

/// <summary>A word of a line, after quote removal, with where it starts (its opening quote if quoted).</summary>
internal readonly record struct Word(string Text, SourceLocation Location, bool Quoted)
{
    public override string ToString() => Text;
}
