using Grid.DrugSupply.Apis;
using Grid.DrugSupply.Extensions;

var builder = WebApplication.CreateBuilder(args);
builder.AddServiceDefaults();
builder.AddApplicationServices();

var app = builder.Build();
app.MapDefaultEndpoints();
app.MapDrugSupplyApi();
app.MapCaseworkApi();
app.Run();

/// <summary>Entry point, public for in-process test hosts.</summary>
public partial class Program;
