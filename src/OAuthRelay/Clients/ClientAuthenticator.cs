using System.Net;
using Microsoft.Extensions.Options;
using OAuthRelay.Connections;

namespace OAuthRelay.Clients;

/// <summary>
/// Checks a client's user name and password without letting anyone use the check to burn the relay's CPU: a recent
/// success is remembered (no hash); a source address or user name with too many recent failures is refused before
/// any hash; hashing runs one at a time per address and a few at a time overall; an unknown user name is hashed
/// against a decoy with the iteration count in use, so neither time nor answer tells it from a wrong password.
/// Used by SMTP AUTH and IMAP/POP3 logins alike.
/// </summary>
public sealed partial class ClientAuthenticator
{
    private readonly ClientRegistry _clients;
    private readonly RelayOptions _options;
    private readonly CredentialCache _cache;
    private readonly LoginFailureBudget _perAddress;
    private readonly LoginFailureBudget _perUser;
    private readonly PasswordCheckSlots _slots;
    private readonly ILogger<ClientAuthenticator> _logger;

    public ClientAuthenticator(ClientRegistry clients, IOptions<RelayOptions> options, TimeProvider time, ILogger<ClientAuthenticator> logger)
    {
        _clients = clients;
        _options = options.Value;
        _logger = logger;
        _cache = new CredentialCache(time);
        _perAddress = new LoginFailureBudget(_options.MaxLoginFailuresPerAddress, _options.LoginFailureWindow, time);
        _perUser = new LoginFailureBudget(_options.MaxLoginFailuresPerUser, _options.LoginFailureWindow, time);
        _slots = new PasswordCheckSlots(_options.MaxConcurrentPasswordChecks > 0 ? _options.MaxConcurrentPasswordChecks : Environment.ProcessorCount);
        clients.Reloaded += error =>
        {
            if (error is null) _cache.Clear();
        };
    }

    public async Task<ClientLogin> AuthenticateAsync(IPAddress? source, string userName, string password)
    {
        var client = _clients.FindByUserName(userName);
        if (client?.PasswordHash is { } known && _cache.Contains(userName, password, known)) return ClientLogin.Accepted(client);

        var address = AddressKey(source);
        var user = userName.ToLowerInvariant();
        if (Refusal(address, user) is { } refused) return refused;
        using var slot = await _slots.EnterAsync(address);
        if (slot is null)
        {
            LogBusy(address);
            return ClientLogin.Busy;
        }

        // Another connection from this address may have verified the same credentials while this one waited.
        if (client?.PasswordHash is { } remembered && _cache.Contains(userName, password, remembered)) return ClientLogin.Accepted(client);

        // Checks from one address run one at a time, so its failure is taken before hashing and given back on success.
        if (!_perAddress.TryReserve(address)) return AddressBlocked;
        if (!_perUser.TryReserve(user))
        {
            _perAddress.Release(address);
            return UserBlocked;
        }

        if (client?.PasswordHash is { } hash && PasswordHasher.Verify(password, hash))
        {
            _perAddress.Release(address);
            _perUser.Release(user);
            _cache.Add(userName, password, hash, _options.CredentialCacheTime);
            return ClientLogin.Accepted(client);
        }

        if (client?.PasswordHash is null) PasswordHasher.Verify(password, _clients.DecoyHash);
        if (_perAddress.IsSpent(address)) LogBudgetSpent("address", address, _options.MaxLoginFailuresPerAddress, Minutes);
        if (_perUser.IsSpent(user)) LogBudgetSpent("user name", LogText.Escape(userName), _options.MaxLoginFailuresPerUser, Minutes);
        return ClientLogin.WrongCredentials;
    }

    private double Minutes => Math.Ceiling(_options.LoginFailureWindow.TotalMinutes);

    /// <summary>The refusal owed when the address's or the user name's failure budget is spent; null while both have some left.</summary>
    private ClientLogin? Refusal(string address, string user) =>
        _perAddress.IsSpent(address) ? AddressBlocked : _perUser.IsSpent(user) ? UserBlocked : null;

    private ClientLogin AddressBlocked => new(ClientLoginOutcome.Blocked, null, $"Too many failed logins from your address; try again in {Minutes} minutes");

    private ClientLogin UserBlocked => new(ClientLoginOutcome.Blocked, null, $"Too many failed logins for this user name; try again in {Minutes} minutes");

    /// <summary>An IPv4 address, or the /64 of an IPv6 one (whoever has one address of a /64 usually has all of it).</summary>
    internal static string AddressKey(IPAddress? address)
    {
        if (address is null) return "-";
        if (address.IsIPv4MappedToIPv6) address = address.MapToIPv4();
        if (address.AddressFamily != System.Net.Sockets.AddressFamily.InterNetworkV6) return address.ToString();
        var bytes = address.GetAddressBytes();
        Array.Clear(bytes, 8, 8);
        return new IPAddress(bytes) + "/64";
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Login failures for {Kind} {Key} reached {Max}: its logins are refused without a password check for {Minutes} minutes after the last failure")]
    private partial void LogBudgetSpent(string kind, string key, int max, double minutes);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Login from {Address} told to try again: all password check slots are busy")]
    private partial void LogBusy(string address);
}
