using Grid.FireSafety.Apis;
using Grid.FireSafety.Extensions;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapOpenApi("/openapi/{documentName}.json").AllowAnonymous();
app.MapFireSafetyApi();
app.MapCaseworkApi();
app.Run();

/// <summary>Entry point, public for in-process test hosts.</summary>
public partial class Program;
