console.log('sitewatch consumer');
