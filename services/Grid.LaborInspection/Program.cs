using Grid.LaborInspection.Apis;
using Grid.LaborInspection.Extensions;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapLaborInspectionApi();
app.MapCaseworkApi();
app.Run();

/// <summary>Entry point, public for in-process test hosts.</summary>
public partial class Program;
