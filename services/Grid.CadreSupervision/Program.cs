using Grid.CadreSupervision.Apis;
using Grid.CadreSupervision.Extensions;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapCadreSupervisionApi();
app.MapCaseworkApi();
app.Run();

/// <summary>Entry point, public for in-process test hosts.</summary>
public partial class Program;
