namespace Grid.Organization.Imports;

public sealed class ImportService;
