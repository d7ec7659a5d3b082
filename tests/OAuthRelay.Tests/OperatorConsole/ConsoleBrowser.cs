using OpenQA.Selenium;
using OpenQA.Selenium.Chrome;
using OpenQA.Selenium.Support.UI;
using OAuthRelay.Tests.Architecture;

namespace OAuthRelay.Tests.OperatorConsole;

/// <summary>
/// Headless Chromium from the system's packages (chromium, chromium-driver; .ci/run installs them), driven through
/// WebDriver with bounded waits on conditions. Screenshots go to TestResults/console-screenshots at the repository root.
/// </summary>
internal sealed class ConsoleBrowser : IDisposable
{
    private const string BrowserPath = "/usr/bin/chromium";
    private const string DriverPath = "/usr/bin/chromedriver";
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private ConsoleBrowser(ChromeDriver driver, Uri baseAddress)
    {
        Driver = driver;
        BaseAddress = baseAddress;
    }

    public ChromeDriver Driver { get; }

    public Uri BaseAddress { get; }

    public static string ScreenshotFolder { get; } = Path.Combine(NamespaceLayerTests.RepositoryRoot(), "TestResults", "console-screenshots");

    public static ConsoleBrowser Start(Uri baseAddress)
    {
        if (!File.Exists(BrowserPath) || !File.Exists(DriverPath))
            throw new InvalidOperationException($"The browser tests need {BrowserPath} and {DriverPath}: apt-get install chromium chromium-driver (.ci/run does).");
        var options = new ChromeOptions { BinaryLocation = BrowserPath };
        // --no-sandbox: CI runs as root, where Chromium's sandbox refuses to start.
        options.AddArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage", "--window-size=1280,1400", "--no-first-run", "--disable-extensions");
        var service = ChromeDriverService.CreateDefaultService(Path.GetDirectoryName(DriverPath)!, Path.GetFileName(DriverPath));
        service.HideCommandPromptWindow = true;
        service.SuppressInitialDiagnosticInformation = true;
        var driver = new ChromeDriver(service, options, Wait);
        driver.Manage().Timeouts().PageLoad = Wait;
        Directory.CreateDirectory(ScreenshotFolder);
        return new ConsoleBrowser(driver, baseAddress);
    }

    public void Open(string path) => Driver.Navigate().GoToUrl(new Uri(BaseAddress, path));

    /// <summary>Waits (bounded) until the condition holds on the page as it is now; fails with the page's text otherwise.</summary>
    public T Until<T>(Func<IWebDriver, T> condition, string what)
    {
        try
        {
            var wait = new WebDriverWait(Driver, Wait) { PollingInterval = TimeSpan.FromMilliseconds(100) };
            // A page that refreshes itself replaces the element between finding and reading it: look again.
            wait.IgnoreExceptionTypes(typeof(StaleElementReferenceException));
            return wait.Until(condition);
        }
        catch (WebDriverTimeoutException)
        {
            throw new Xunit.Sdk.XunitException($"Waited {Wait.TotalSeconds} s for {what}; the page at {Driver.Url} says:\n{Driver.FindElement(By.TagName("body")).Text}");
        }
    }

    /// <summary>Clicks the element, found anew if a self-refreshing page replaced it first (a stale element is never clicked).</summary>
    public void Click(By element, string what) => Until(d =>
    {
        d.FindElement(element).Click();
        return true;
    }, what);

    /// <summary>The notice or problem the page shows after a change.</summary>
    public string Message(string role) => Until(d => d.FindElements(By.CssSelector($"main p[role='{role}']")).FirstOrDefault()?.Text, $"a {role} message")!;

    public void Screenshot(string name) => Driver.GetScreenshot().SaveAsFile(Path.Combine(ScreenshotFolder, $"{name}.png"));

    public void Dispose()
    {
        Driver.Quit();
        Driver.Dispose();
    }
}
