using Grid.CommandCenter.Apis;
using Grid.CommandCenter.Extensions;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();
app.UseDashboard();
app.MapDefaultEndpoints();
app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
app.MapCommandCenterApi();
app.Run();

/// <summary>Entry point, public for in-process test hosts.</summary>
public partial class Program;
